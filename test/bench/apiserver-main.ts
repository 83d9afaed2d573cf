// The loopback API server as its own process for the benchmark, serving one finished TaskRun.
// Prints its kubeconfig path on stdout; exits when stdin closes.
import { ApiServer, succeeded, taskRun } from '../support/apiserver.ts';
import { DIGEST } from '../support/helpers.ts';

const api = await new ApiServer().start();
const doc = taskRun('build-1');
succeeded(doc, { IMAGE_URL: 'registry.example.com/team/app:1.0.0', IMAGE_DIGEST: DIGEST, IMAGES: '' });
api.put('taskruns', doc);
process.stdout.write(`${api.kubeconfig()}\n`);
process.stdin.resume();
process.stdin.on('end', () => void api.stop().then(() => process.exit(0)));
