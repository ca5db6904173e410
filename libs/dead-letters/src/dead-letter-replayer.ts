import { Injectable } from '@nestjs/common';
import { Topics } from '@app/contracts';
import type { OutgoingMessage } from '@app/kafka';
import { ArchivedLetter, DeadLetterArchive } from './dead-letter-archive';

/** Where replays are published: the service's durable producer, attached at boot. */
@Injectable()
export class ReplayPublisher {
  private target?: { publish(messages: OutgoingMessage[]): Promise<void> };

  attach(target: { publish(messages: OutgoingMessage[]): Promise<void> }): void {
    this.target = target;
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    if (!this.target) return Promise.reject(new Error('no producer attached for replays'));
    return this.target.publish(messages);
  }
}

export type ReplayRefusal = 'VALUE_TRUNCATED' | 'VALUE_NOT_REPLAYABLE' | 'TOPIC_NOT_REPLAYABLE';

export type ReplayOutcome =
  | { readonly id: string; readonly replayed: true }
  | { readonly id: string; readonly replayed: false; readonly code: ReplayRefusal; readonly message: string };

/** Topics a letter may go back to: ours, except the DLQ itself. */
const REPLAYABLE_TOPICS: ReadonlySet<string> = new Set(Object.values(Topics).filter((t) => t !== Topics.dlq));

/**
 * Re-publishes dead letters to their original topic, with their original key and value, and records
 * each replay with who did it and why. The consumer then applies it as any message (idempotently):
 * a letter that fails again becomes a new letter, with a new offset. A letter whose value was cut
 * (`valueTruncated`), is not text, or came from a topic that is not ours is refused with a code.
 */
@Injectable()
export class DeadLetterReplayer {
  constructor(
    private readonly archive: DeadLetterArchive,
    private readonly publisher: ReplayPublisher,
  ) {}

  async replay(
    letters: readonly ArchivedLetter[],
    by: string,
    note: string | null,
  ): Promise<ReplayOutcome[]> {
    const outcomes: ReplayOutcome[] = [];
    for (const letter of letters) {
      const refusal = refusalOf(letter);
      if (refusal) {
        outcomes.push({ id: letter.id, replayed: false, ...refusal });
        continue;
      }
      await this.publisher.publish([
        {
          topic: letter.originalTopic,
          key: letter.key ?? '',
          value: letter.value as string,
          headers: { 'x-replayed-from': letter.id, 'x-replayed-by': by },
        },
      ]);
      await this.archive.recordReplay(letter.id, by, note);
      outcomes.push({ id: letter.id, replayed: true });
    }
    return outcomes;
  }
}

function refusalOf(letter: ArchivedLetter): { code: ReplayRefusal; message: string } | null {
  if (letter.valueTruncated) {
    return {
      code: 'VALUE_TRUNCATED',
      message: `the letter holds only the start of the value; replay it from ${letter.originalTopic}[${letter.partition}]@${letter.offset}`,
    };
  }
  if (letter.value === null || letter.value === undefined || letter.valueEncoding !== 'utf8') {
    return { code: 'VALUE_NOT_REPLAYABLE', message: 'the value is empty or not text' };
  }
  if (!REPLAYABLE_TOPICS.has(letter.originalTopic)) {
    return { code: 'TOPIC_NOT_REPLAYABLE', message: `${letter.originalTopic} is not one of our topics` };
  }
  return null;
}
