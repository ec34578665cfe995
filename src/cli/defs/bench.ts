import { Command } from 'commander';
import { addJson, examples } from '../shared-options.js';

export function benchCommand(): Command {
  const pollingVsPush = new Command('polling-vs-push')
    .description('measure short polling, long polling and webhook push on the same event stream')
    .option('--events <n>', 'events to emit', '300')
    .option('--rate <per-second>', 'mean event rate (Poisson arrivals)', '20')
    .option('--interval <duration>', 'short-poll interval', '1s')
    .option('--long-poll-timeout <duration>', 'how long a long poll is held open', '30s')
    .option('--clients <list>', 'consumers per strategy; a list sweeps, e.g. 1,10,100', '1')
    .option('--latency <duration>', 'simulated one-way network delay on every hop', '0')
    .option('--payload-size <size>', 'bytes of payload per event', '256')
    .option('--seed <n>', 'seed for the arrival schedule', '1')
    .option('--report <file>', 'write a self-contained HTML report with charts');
  addJson(pollingVsPush);
  pollingVsPush.addHelpText(
    'after',
    examples([
      'hookctl bench polling-vs-push',
      'hookctl bench polling-vs-push --events 50 --rate 50',
      'hookctl bench polling-vs-push --clients 1,10,100 --latency 20ms --report bench.html',
    ]),
  );
  return new Command('bench').description('measured comparisons (polling-vs-push)').addCommand(pollingVsPush);
}
