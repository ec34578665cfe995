import { Command } from 'commander';
import { addJson, examples } from '../shared-options.js';

export function benchCommand(): Command {
  const pollingVsPush = new Command('polling-vs-push')
    .description(
      'measure short polling, long polling and webhook push (optionally server-sent events) on the same seeded event stream over real loopback HTTP: latency, requests, empty responses, bytes, server CPU and open connections, each beside its analytic model',
    )
    .option('--events <n>', 'events to emit per run', '200')
    .option('--rate <per-second>', 'mean event rate (Poisson arrivals)', '40')
    .option('--interval <duration>', 'short-poll interval', '1s')
    .option('--long-poll-timeout <duration>', 'how long a long poll is held open when nothing happens', '30s')
    .option('--clients <list>', 'consumers per strategy; a list sweeps, e.g. 1,10,100', '1')
    .option('--latency <duration>', 'simulated one-way network delay added on every hop', '0')
    .option('--payload-size <size>', 'bytes per event (JSON, padded)', '256')
    .option('--seed <n>', 'seed for the arrival schedule', '1')
    .option('--strategies <list>', 'which to run: short-poll,long-poll,push,sse', 'short-poll,long-poll,push')
    .option('--report <file>', 'write a self-contained HTML report with a latency CDF and, when sweeping, cost-vs-clients charts');
  addJson(pollingVsPush);
  pollingVsPush.addHelpText(
    'after',
    examples([
      'hookctl bench polling-vs-push                                   # ~20 s, 1 client each',
      'hookctl bench polling-vs-push --events 50 --rate 50             # a quick run',
      'hookctl bench polling-vs-push --clients 1,10,100 --latency 20ms --report bench.html',
      'hookctl bench polling-vs-push --rate 0.5 --events 20 --interval 5s   # sparse events: most polls come back empty',
      'hookctl bench polling-vs-push --strategies short-poll,long-poll,push,sse --json | jq \'.strategies[].latencyMs\'',
    ]) +
      '\nStrategies run one after another, each with a fresh provider process (whose CPU time is the\n"server CPU") and a fresh consumer process; timestamps use performance.timeOrigin + performance.now().\nCtrl-C stops the servers and prints what was measured so far (exit 130).\n',
  );
  return new Command('bench').description('measured comparisons (polling-vs-push)').addCommand(pollingVsPush);
}
