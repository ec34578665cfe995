import { Command } from 'commander';
import { addQueueOptions } from '../queue-options.js';
import { addJson, examples } from '../shared-options.js';

const TARGET = ['<queue>', 'a Redis queue, redis://[user:password@]host:port[/db], or the capture folder of a listen --ack-first (its outbox)'] as const;

function queueSubcommand(name: string, description: string): Command {
  const command = new Command(name).description(description).argument(...TARGET);
  addQueueOptions(command);
  addJson(command);
  return command;
}

export function queueCommand(): Command {
  const status = queueSubcommand('status', 'pending, in flight per worker, scheduled retries, dead letters, delivered per second').option(
    '--claim-idle <duration>',
    "the workers' --claim-idle: a worker idle longer is shown as presumed dead",
    '30s',
  );
  const dead = queueSubcommand('dead', 'list dead letters: forwards that gave up, with their last error').option('--limit <n>', 'show at most this many (oldest first)', '100');
  const requeue = queueSubcommand('requeue', 'put dead letters back in the queue for another full retry schedule')
    .argument('[ids...]', 'dead-letter ids (from `hookctl queue dead`)')
    .option('--all', 'every dead letter');
  return new Command('queue')
    .description('delivery status of a queue (Redis, or a listener\'s outbox): what is pending, retrying and dead, and re-queuing dead letters')
    .addCommand(status)
    .addCommand(dead)
    .addCommand(requeue)
    .addHelpText(
      'after',
      examples([
        'hookctl queue status redis://127.0.0.1:6379',
        'hookctl queue status redis://127.0.0.1:6379 --json | jq .pending',
        'hookctl queue dead redis://127.0.0.1:6379',
        'hookctl queue requeue redis://127.0.0.1:6379 1712345678901-0',
        'hookctl queue requeue redis://127.0.0.1:6379 --all',
        'hookctl queue status fixtures/captured   # the outbox of listen --ack-first (default capture folder)',
        'hookctl queue requeue fixtures/captured --all   # a listener running on the folder takes them within a second',
      ]),
    );
}
