import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DeadLetterV1 } from '@app/contracts';

/** A letter as operators see it. `value` is left out for viewers (it may hold a partner's raw body). */
export interface ArchivedLetter {
  readonly id: string;
  readonly originalTopic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value?: string | null;
  readonly valueEncoding: 'utf8' | 'base64';
  readonly valueTruncated: boolean;
  readonly reason: string;
  readonly consumerGroup: string;
  readonly occurredAt: string;
  readonly receivedAt: string;
  readonly replayCount: number;
  readonly lastReplayedAt: string | null;
  readonly lastReplayedBy: string | null;
}

export interface LetterFilter {
  readonly originalTopic?: string;
  /** Letters whose reason contains this text (case-insensitive). */
  readonly reasonContains?: string;
  /** true: only letters replayed at least once; false: never replayed. */
  readonly replayed?: boolean;
  /** Keyset page: letters received before this one (the `next-cursor` of the previous page). */
  readonly before?: { receivedAt: string; id: string };
  readonly limit: number;
}

interface Row {
  id: string;
  original_topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  value_encoding: 'utf8' | 'base64';
  value_truncated: boolean;
  reason: string;
  consumer_group: string;
  occurred_at: Date;
  received_at: Date;
  replay_count: number;
  last_replayed_at: Date | null;
  last_replayed_by: string | null;
}

/** The dead-letter archive in PostgreSQL (table `dead_letters`, migration DeadLetters1796100000000). */
@Injectable()
export class DeadLetterArchive {
  constructor(private readonly db: DataSource) {}

  /** Stores letters; one consumed again (same id) is ignored. Returns how many were new. */
  async record(letters: readonly DeadLetterV1[]): Promise<number> {
    if (letters.length === 0) return 0;
    const rows = (await this.db.query(
      `INSERT INTO dead_letters (id, original_topic, partition, "offset", key, value, value_encoding,
                                 value_truncated, reason, consumer_group, occurred_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::bool[], $9::text[], $10::text[], $11::timestamptz[])
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        letters.map((l) => l.eventId),
        letters.map((l) => l.originalTopic),
        letters.map((l) => l.partition),
        letters.map((l) => l.offset),
        letters.map((l) => l.key),
        letters.map((l) => l.value),
        letters.map((l) => l.valueEncoding),
        letters.map((l) => l.valueTruncated === true),
        letters.map((l) => l.reason),
        letters.map((l) => l.consumerGroup),
        letters.map((l) => l.occurredAt),
      ],
    )) as { id: string }[];
    return rows.length;
  }

  async list(filter: LetterFilter, withValue: boolean): Promise<ArchivedLetter[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const bind = (v: unknown) => `$${params.push(v)}`;
    if (filter.originalTopic) where.push(`original_topic = ${bind(filter.originalTopic)}`);
    if (filter.reasonContains) where.push(`strpos(lower(reason), lower(${bind(filter.reasonContains)})) > 0`);
    if (filter.replayed !== undefined) where.push(filter.replayed ? 'replay_count > 0' : 'replay_count = 0');
    if (filter.before) {
      where.push(
        `(received_at, id) < (${bind(filter.before.receivedAt)}::timestamptz, ${bind(filter.before.id)})`,
      );
    }
    const rows = (await this.db.query(
      `SELECT * FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY received_at DESC, id DESC LIMIT ${bind(filter.limit)}`,
      params,
    )) as Row[];
    return rows.map((r) => toLetter(r, withValue));
  }

  async get(id: string, withValue: boolean): Promise<ArchivedLetter | null> {
    const rows = (await this.db.query(`SELECT * FROM dead_letters WHERE id = $1`, [id])) as Row[];
    return rows.length ? toLetter(rows[0], withValue) : null;
  }

  /** Records one replay of a letter, by whom and why. */
  async recordReplay(id: string, by: string, note: string | null): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO dead_letter_replays (dead_letter_id, replayed_by, note) VALUES ($1, $2, $3)`,
        [id, by, note],
      );
      await m.query(
        `UPDATE dead_letters SET replay_count = replay_count + 1, last_replayed_at = now(), last_replayed_by = $2
          WHERE id = $1`,
        [id, by],
      );
    });
  }

  async replays(id: string): Promise<{ replayedAt: string; replayedBy: string; note: string | null }[]> {
    const rows = (await this.db.query(
      `SELECT replayed_at, replayed_by, note FROM dead_letter_replays WHERE dead_letter_id = $1 ORDER BY id`,
      [id],
    )) as { replayed_at: Date; replayed_by: string; note: string | null }[];
    return rows.map((r) => ({
      replayedAt: r.replayed_at.toISOString(),
      replayedBy: r.replayed_by,
      note: r.note,
    }));
  }

  /** Letters received and not replayed, for the metrics. */
  async countNotReplayed(): Promise<number> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS n FROM dead_letters WHERE replay_count = 0`,
    )) as {
      n: number;
    }[];
    return row.n;
  }
}

function toLetter(r: Row, withValue: boolean): ArchivedLetter {
  return {
    id: r.id,
    originalTopic: r.original_topic,
    partition: r.partition,
    offset: r.offset,
    key: r.key,
    ...(withValue ? { value: r.value } : {}),
    valueEncoding: r.value_encoding,
    valueTruncated: r.value_truncated,
    reason: r.reason,
    consumerGroup: r.consumer_group,
    occurredAt: r.occurred_at.toISOString(),
    receivedAt: r.received_at.toISOString(),
    replayCount: r.replay_count,
    lastReplayedAt: r.last_replayed_at?.toISOString() ?? null,
    lastReplayedBy: r.last_replayed_by,
  };
}
