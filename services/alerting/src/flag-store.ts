// Flag states (targets by id, plan tasks as `task:<id>`) survive restarts (MongoDB, collection
// `alertflags`): without them a restart would forget the hysteresis and raise every flag again. Written after each evaluation, after
// the flag changes are published: a crash in between re-publishes a change (at least once).
import { Schema, type Connection, type Model } from '@siliconalley/db';
import type { FlagState } from '@siliconalley/targets';

interface FlagDoc {
  _id: string;
  flagged: boolean;
  raisedBy: FlagState['raisedBy'];
  recoveredFor: number;
  updatedAt: Date;
}

const flagSchema = new Schema<FlagDoc>(
  {
    _id: { type: String, required: true },
    flagged: { type: Boolean, required: true },
    raisedBy: { type: String, default: null },
    recoveredFor: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'alertflags', versionKey: false },
);

export class FlagStore {
  private readonly model: Model<FlagDoc>;

  constructor(conn: Connection) {
    this.model = (conn.models.AlertFlag as Model<FlagDoc> | undefined) ?? conn.model<FlagDoc>('AlertFlag', flagSchema);
  }

  async load(): Promise<Map<string, FlagState>> {
    const docs = await this.model.find({}).lean<FlagDoc[]>();
    return new Map(docs.map((d) => [d._id, { flagged: d.flagged, raisedBy: d.raisedBy, recoveredFor: d.recoveredFor }]));
  }

  async save(states: ReadonlyMap<string, FlagState>, now = new Date()): Promise<void> {
    if (states.size === 0) return;
    await this.model.bulkWrite(
      [...states].map(([target, s]) => ({
        replaceOne: { filter: { _id: target }, replacement: { _id: target, ...s, updatedAt: now }, upsert: true },
      })),
    );
  }

  /** Forgets flags (targets deleted through the API). */
  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.model.deleteMany({ _id: { $in: [...ids] } });
  }
}
