#!/usr/bin/env python3
"""Time whole commands in interleaved rounds; print each run's wall and CPU time and peak RSS as JSON.

Node cannot read a child's resource usage, so the timing loop lives here: each command is
started with posix_spawn and reaped with wait4, which returns the child's own CPU time
(ru_utime + ru_stime, all its threads) and peak RSS (ru_maxrss) — the figures of the timed run
itself, with no wrapper process in between.

stdin:  {"rounds": N, "warmup": W, "work": DIR, "cases": [{"name", "argv", "env"}]}
        "{out}" in an argv word becomes a fresh, empty directory for that run, as a Tekton step
        gets a fresh emptyDir: rewriting the same files every round would measure ext4's flush
        on rename instead of the command.
stdout: {"samples": [[{"ms", "cpu_ms", "rss_kib", "status"}, ...] per case]}
"""
import json
import os
import sys
import time


def run(case, out):
    argv = [word.replace("{out}", out) for word in case["argv"]]
    devnull = os.open(os.devnull, os.O_RDWR)
    read_end, write_end = os.pipe()  # stdout is a pipe, as in a container step
    actions = [
        (os.POSIX_SPAWN_DUP2, devnull, 0),
        (os.POSIX_SPAWN_DUP2, write_end, 1),
        (os.POSIX_SPAWN_DUP2, devnull, 2),
    ]
    start = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, case["env"], file_actions=actions)
    os.close(write_end)
    while os.read(read_end, 65536):
        pass
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter_ns() - start
    os.close(read_end)
    os.close(devnull)
    return {
        "ms": elapsed / 1e6,
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1e3,
        "rss_kib": usage.ru_maxrss,
        "status": os.waitstatus_to_exitcode(status),
    }


def main():
    spec = json.load(sys.stdin)
    cases = spec["cases"]
    samples = [[] for _ in cases]
    counter = 0
    for round_ in range(spec["warmup"] + spec["rounds"]):
        # Rotate the order each round so no case always runs first (cold) or last.
        order = [(round_ + k) % len(cases) for k in range(len(cases))]
        for i in order:
            counter += 1
            out = os.path.join(spec["work"], f"out-{counter}")
            os.mkdir(out)
            os.chmod(out, 0o777)  # a Tekton emptyDir is world-writable
            sample = run(cases[i], out)
            if round_ >= spec["warmup"]:
                samples[i].append(sample)
    json.dump({"samples": samples}, sys.stdout)


main()
