// A loopback stand-in for the Kubernetes API server, faithful on the wire for what cnb-report
// uses (no API server can run on these machines): the real paths, Status objects for
// 401/403/404/409/410, bearer tokens, watches as newline-delimited JSON events that follow
// resourceVersion (ADDED/MODIFIED/DELETED/BOOKMARK, ERROR with 410 for an expired version),
// generateName on create, and a mode where tekton.dev/v1 is not served (Pipelines < 0.43).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.ts';

type Doc = Record<string, any>;
interface Event {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: Doc;
  rv: number;
  key: string;
}

export const TOKEN = 'cnb-report-test-token';

export class ApiServer {
  private server!: Server;
  private rv = 100;
  private objects = new Map<string, Doc>(); // "resource/namespace/name"
  private history: Event[] = [];
  private watchers = new Set<{ key: string; res: ServerResponse; from: number }>();
  /** Requests seen, e.g. "GET /apis/tekton.dev/v1/namespaces/builds/taskruns?watch=…" */
  readonly requests: string[] = [];
  private waiting: { pattern: RegExp; count: number; resolve: () => void }[] = [];
  /** Watches from a resourceVersion older than this get 410 Gone. */
  expiredBefore = 0;
  /** Verbs refused with 403, as "verb resource" (e.g. "watch taskruns"). */
  readonly forbidden = new Set<string>();
  /** Drop the next N watch connections right after they open. */
  dropWatches = 0;
  /** Accept watch connections but never answer them (a stalled server or proxy). */
  stallWatches = false;
  /** Serve only tekton.dev/v1beta1, as Pipelines before 0.43. */
  v1beta1Only = false;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  stop(): Promise<void> {
    for (const w of this.watchers) w.res.destroy();
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  /** A kubeconfig for this server (plain http needs insecure-skip-tls-verify with client-node 1.x). */
  kubeconfig(token = TOKEN): string {
    const path = join(tempDir('cnb-report-kube-'), 'config');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `  - name: loopback\n    cluster:\n      server: http://127.0.0.1:${this.port}\n      insecure-skip-tls-verify: true`,
        'users:',
        `  - name: tester\n    user:\n      token: ${token}`,
        'contexts:',
        '  - name: builds\n    context:\n      cluster: loopback\n      user: tester\n      namespace: builds',
        '  - name: other\n    context:\n      cluster: loopback\n      user: tester\n      namespace: other',
        'current-context: builds',
        '',
      ].join('\n'),
    );
    return path;
  }

  /** "verb group/resource" of every request, as RBAC would check it. */
  verbs(): string[] {
    return this.requests.map((r) => {
      const [method, target] = r.split(' ') as [string, string];
      const path = target.split('?')[0]!.split('/');
      const resource = path.includes('taskruns') ? 'tekton.dev/taskruns' : 'pods';
      const named = !['taskruns', 'pods'].includes(path.at(-1)!);
      const verb = method === 'POST' ? 'create' : target.includes('watch=true') ? 'watch' : named ? 'get' : 'list';
      return `${verb} ${resource}`;
    });
  }

  /** Resolves once `count` requests matching the pattern have arrived (tests act on the server's view, not on timers). */
  seen(pattern: RegExp, count = 1): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({ pattern, count, resolve });
      this.notify();
    });
  }

  private notify(): void {
    this.waiting = this.waiting.filter((w) => {
      const hit = this.requests.filter((r) => w.pattern.test(r)).length >= w.count;
      if (hit) setImmediate(w.resolve);
      return !hit;
    });
  }

  /** Close every open watch connection, as a network drop would. */
  dropOpenWatches(): void {
    for (const w of this.watchers) w.res.destroy();
  }

  /** Store (or replace) an object as the API server would, bumping its resourceVersion. */
  put(resource: 'taskruns' | 'pods', object: Doc): Doc {
    const key = `${resource}/${object.metadata.namespace}/${object.metadata.name}`;
    const type = this.objects.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.rv);
    stored.metadata.uid ??= `uid-${this.rv}`;
    this.objects.set(key, stored);
    this.emit({ type, object: stored, rv: this.rv, key });
    return stored;
  }

  update(resource: 'taskruns' | 'pods', namespace: string, name: string, change: (doc: Doc) => void): Doc {
    const doc = structuredClone(this.objects.get(`${resource}/${namespace}/${name}`)!);
    change(doc);
    return this.put(resource, doc);
  }

  delete(resource: 'taskruns', namespace: string, name: string): void {
    const key = `${resource}/${namespace}/${name}`;
    const doc = this.objects.get(key)!;
    this.objects.delete(key);
    this.emit({ type: 'DELETED', object: { ...doc, metadata: { ...doc.metadata, resourceVersion: String(++this.rv) } }, rv: this.rv, key });
  }

  /** Send a BOOKMARK at a new resourceVersion to open watches (as the server does periodically). */
  bookmark(): number {
    this.rv++;
    for (const w of this.watchers)
      this.write(w.res, {
        type: 'BOOKMARK',
        object: { kind: 'TaskRun', apiVersion: 'tekton.dev/v1', metadata: { resourceVersion: String(this.rv) } },
      });
    return this.rv;
  }

  get(resource: string, namespace: string, name: string): Doc | undefined {
    return this.objects.get(`${resource}/${namespace}/${name}`);
  }

  private emit(event: Event): void {
    this.history.push(event);
    for (const w of this.watchers)
      if (w.key === event.key && event.rv > w.from) this.write(w.res, { type: event.type, object: event.object });
  }

  private write(res: ServerResponse, event: unknown): void {
    res.write(`${JSON.stringify(event)}\n`);
  }

  private status(res: ServerResponse, code: number, reason: string, message: string, details?: Doc): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason,
        ...(details && { details }),
        code,
      }),
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url!, 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    setImmediate(() => this.notify());
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return this.status(res, 401, 'Unauthorized', 'Unauthorized');
    const m = /^\/(?:apis\/tekton\.dev\/(v1|v1beta1)|api\/v1)\/namespaces\/([^/]+)\/(taskruns|pods)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m || (m[1] === 'v1' && this.v1beta1Only) || (m[3] === 'taskruns') !== (m[1] !== undefined)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return void res.end('404 page not found\n');
    }
    const [, version, namespace, resource, name] = m as unknown as [
      string,
      string | undefined,
      string,
      'taskruns' | 'pods',
      string | undefined,
    ];
    const group = resource === 'taskruns' ? 'tekton.dev' : '';
    const verb = req.method === 'POST' ? 'create' : url.searchParams.get('watch') ? 'watch' : name ? 'get' : 'list';
    if (this.forbidden.has(`${verb} ${resource}`)) {
      return this.status(
        res,
        403,
        'Forbidden',
        `${resource}${group ? `.${group}` : ''} ${name ? `"${name}" ` : ''}is forbidden: User "system:serviceaccount:builds:ci" cannot ${verb} resource "${resource}" in API group "${group}" in the namespace "${namespace}"`,
        { name, group, kind: resource },
      );
    }
    if (verb === 'watch') return this.watch(url, res, `${resource}/${namespace}/`, version);
    if (verb === 'create') return this.create(req, res, resource, namespace, version!);
    if (verb === 'get') {
      const doc = this.objects.get(`${resource}/${namespace}/${name}`);
      if (!doc)
        return this.status(res, 404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${name}" not found`, {
          name,
          group,
          kind: resource,
        });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify(version && version !== 'v1' ? asV1beta1(doc) : doc));
    }
    this.status(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }

  private watch(url: URL, res: ServerResponse, prefix: string, version: string | undefined): void {
    const field = /^metadata\.name=(.+)$/.exec(url.searchParams.get('fieldSelector') ?? '');
    if (!field) return this.status(res, 400, 'BadRequest', 'this test server only watches by metadata.name');
    const from = Number(url.searchParams.get('resourceVersion') ?? this.rv);
    if (this.stallWatches) return; // never answers: no headers, no events
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders(); // the API server answers a watch at once, events follow
    if (from < this.expiredBefore) {
      this.write(res, {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${from} (${this.expiredBefore})`,
          reason: 'Expired',
          code: 410,
        },
      });
      return void res.end();
    }
    if (this.dropWatches > 0) {
      this.dropWatches--;
      return void setTimeout(() => res.destroy(), 20);
    }
    const key = prefix + field[1];
    const watcher = { key, res, from };
    for (const e of this.history)
      if (e.key === key && e.rv > from) this.write(res, { type: e.type, object: version === 'v1beta1' ? asV1beta1(e.object) : e.object });
    this.watchers.add(watcher);
    res.on('close', () => this.watchers.delete(watcher));
  }

  private create(req: IncomingMessage, res: ServerResponse, resource: 'taskruns' | 'pods', namespace: string, version: string): void {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const doc = JSON.parse(body);
      if (doc.metadata?.namespace && doc.metadata.namespace !== namespace) {
        return this.status(res, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      const name = doc.metadata.name ?? `${doc.metadata.generateName}${randomSuffix()}`;
      if (this.objects.has(`${resource}/${namespace}/${name}`)) {
        return this.status(res, 409, 'AlreadyExists', `taskruns.tekton.dev "${name}" already exists`, {
          name,
          group: 'tekton.dev',
          kind: 'taskruns',
        });
      }
      const stored = this.put(resource, {
        ...doc,
        apiVersion: `tekton.dev/${version}`,
        metadata: { ...doc.metadata, name, namespace, creationTimestamp: new Date().toISOString() },
      });
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(stored));
    });
  }
}

// generateName suffixes use this alphabet (k8s.io/apimachinery/pkg/util/rand).
function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from({ length: 5 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
}

/** v1beta1 keeps results in status.taskResults. */
function asV1beta1(doc: Doc): Doc {
  const copy = structuredClone(doc);
  copy.apiVersion = 'tekton.dev/v1beta1';
  if (copy.status?.results) {
    copy.status.taskResults = copy.status.results;
    delete copy.status.results;
  }
  return copy;
}

// --- Documents shaped like Tekton's ---------------------------------------------------------

const NOW = '2026-11-21T10:00:00Z';

export function taskRun(name: string, namespace = 'builds'): Doc {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'TaskRun',
    metadata: { name, namespace, generation: 1, creationTimestamp: NOW, labels: { 'tekton.dev/task': 'buildpacks' }, annotations: {} },
    spec: {
      taskRef: { kind: 'Task', name: 'buildpacks' },
      serviceAccountName: 'ci',
      timeout: '1h0m0s',
      params: [{ name: 'APP_IMAGE', value: 'registry.example.com/team/app:1.0.0' }],
    },
    status: {
      conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Pending', message: 'Pending', lastTransitionTime: NOW }],
      podName: `${name}-pod`,
      startTime: NOW,
      steps: [],
    },
  };
}

const STEP_NAMES = ['prepare', 'create', 'report'];

/** The TaskRun while step `index` runs. */
export function running(doc: Doc, index: number): void {
  doc.status ??= {};
  doc.status.conditions = [
    {
      type: 'Succeeded',
      status: 'Unknown',
      reason: 'Running',
      message: 'Not all Steps in the Task have finished executing',
      lastTransitionTime: NOW,
    },
  ];
  doc.status.steps = STEP_NAMES.map((name, i) => ({
    name,
    container: `step-${name}`,
    imageID: `docker.io/library/x@sha256:${String(i).repeat(64)}`,
    ...(i < index
      ? { terminated: { exitCode: 0, reason: 'Completed', startedAt: NOW, finishedAt: NOW } }
      : i === index
        ? { running: { startedAt: NOW } }
        : { waiting: { reason: 'PodInitializing' } }),
  }));
}

export function succeeded(doc: Doc, results: Record<string, string>): void {
  running(doc, STEP_NAMES.length);
  doc.status.conditions = [
    { type: 'Succeeded', status: 'True', reason: 'Succeeded', message: 'All Steps have completed executing', lastTransitionTime: NOW },
  ];
  doc.status.completionTime = NOW;
  doc.status.results = Object.entries(results).map(([name, value]) => ({ name, type: 'string', value }));
}

export function failed(doc: Doc): void {
  running(doc, 1);
  doc.status.steps[1] = {
    name: 'create',
    container: 'step-create',
    terminated: { exitCode: 62, reason: 'Error', startedAt: NOW, finishedAt: NOW },
  };
  doc.status.conditions = [
    { type: 'Succeeded', status: 'False', reason: 'Failed', message: '"step-create" exited with code 62', lastTransitionTime: NOW },
  ];
  doc.status.completionTime = NOW;
}

export function pod(name: string, containers: { name: string; message?: string }[], namespace = 'builds'): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, creationTimestamp: NOW },
    spec: { containers: containers.map((c) => ({ name: c.name, image: 'ghcr.io/cnb-report/cnb-report@sha256:' + 'a'.repeat(64) })) },
    status: {
      phase: 'Succeeded',
      containerStatuses: containers.map((c) => ({
        name: c.name,
        ready: false,
        restartCount: 0,
        image: 'ghcr.io/cnb-report/cnb-report:0.1.0',
        imageID: 'ghcr.io/cnb-report/cnb-report@sha256:' + 'a'.repeat(64),
        state: {
          terminated: {
            exitCode: 0,
            reason: 'Completed',
            startedAt: NOW,
            finishedAt: NOW,
            ...(c.message !== undefined && { message: c.message }),
          },
        },
      })),
    },
  };
}
