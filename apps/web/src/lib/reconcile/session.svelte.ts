import type * as Y from 'yjs';
import {
  applyDecision, findDisagreements, layerCodings, layerRoom, reconcileState, recordAgreements, TranscriptDoc, transcriptRoom,
  type Decision, type DecisionAction, type Disagreement, type ResolvedCoding, type ResolvedTurn,
} from '@concord/shared';
import { SyncedRoom, combineStatus, type CombinedStatus } from '../collab/room.svelte.ts';
import type { LocalUser } from '../collab/transcript.svelte.ts';
import { latestByKey, maxSeq, nextUndecided, pickPosition, positionPrefix, progressOf, type SharedPosition } from './shape.ts';

export interface ReconcileItem extends Disagreement {
  quote: string;
  /** 1-based position in text order. */
  index: number;
}

export interface Participant {
  clientId: number;
  user: LocalUser;
  isSelf: boolean;
  /** The disagreement they are looking at. */
  viewing: string | null;
  following: boolean;
}

/** What a client publishes in the transcript room's awareness while reconciling. */
interface ReconcileAwareness {
  user?: LocalUser;
  reconcile?: { pair: string; viewing: string | null; following: boolean } | null;
}

/**
 * A live reconciliation session of two coders' revealed layers on one
 * transcript: the transcript room (text, consensus codings, decision log, and
 * the shared position in its `reconcile` map) and the two layer rooms (read
 * only after the reveal). Disagreements are recomputed from the layers in the
 * browser, with the same function (and so the same keys) as the server.
 */
export class ReconcileSession {
  readonly room: SyncedRoom;
  readonly layerA: SyncedRoom;
  readonly layerB: SyncedRoom;
  readonly td: TranscriptDoc;
  readonly state: Y.Map<unknown>;
  readonly pair: string;
  readonly #prefix: string;

  items = $state.raw<ReconcileItem[]>([]);
  codingsA = $state.raw<ResolvedCoding[]>([]);
  codingsB = $state.raw<ResolvedCoding[]>([]);
  turns = $state.raw<ResolvedTurn[]>([]);
  decisions = $state.raw<Decision[]>([]);
  shared = $state.raw<SharedPosition | null>(null);
  participants = $state.raw<Participant[]>([]);
  latest = $derived(latestByKey(this.decisions));
  progress = $derived(progressOf(this.items, this.latest));

  #frame = 0;
  readonly #offs: (() => void)[] = [];

  constructor(
    readonly projectId: string,
    readonly transcriptId: string,
    readonly a: string,
    readonly b: string,
    readonly me: LocalUser,
    readonly canDecide: boolean,
  ) {
    this.room = new SyncedRoom(transcriptRoom(projectId, transcriptId), { userId: me.id });
    this.layerA = new SyncedRoom(layerRoom(projectId, transcriptId, a), { userId: me.id });
    this.layerB = new SyncedRoom(layerRoom(projectId, transcriptId, b), { userId: me.id });
    this.td = new TranscriptDoc(this.room.doc);
    this.state = reconcileState(this.room.doc);
    this.pair = `${a},${b}`;
    this.#prefix = positionPrefix(a, b);

    const recompute = (): void => this.schedule();
    for (const r of [this.room, this.layerA, this.layerB]) {
      r.doc.on('update', recompute);
      this.#offs.push(() => r.doc.off('update', recompute));
    }
    const onDecisions = (): void => {
      this.decisions = this.td.decisions.toArray();
    };
    this.td.decisions.observe(onDecisions);
    this.#offs.push(() => this.td.decisions.unobserve(onDecisions));
    const onState = (): void => {
      this.shared = pickPosition(this.state.entries(), this.#prefix);
    };
    this.state.observe(onState);
    this.#offs.push(() => this.state.unobserve(onState));

    const aw = this.room.awareness;
    aw.setLocalStateField('user', me);
    const onAwareness = (): void => this.refreshParticipants();
    aw.on('change', onAwareness);
    this.#offs.push(() => aw.off('change', onAwareness));

    onDecisions();
    onState();
    this.schedule();
  }

  /** All three documents have been synced with the server at least once. */
  get ready(): boolean {
    return this.room.everSynced && this.layerA.everSynced && this.layerB.everSynced;
  }

  get status(): CombinedStatus {
    return combineStatus([this.room, this.layerA, this.layerB]);
  }

  get rooms(): SyncedRoom[] {
    return [this.room, this.layerA, this.layerB];
  }

  private schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.recompute();
    });
  }

  /** Recomputes codings and disagreements now (normally once per frame after a change). */
  recompute(): void {
    const text = this.td.body.toString();
    const a = this.td.resolveCodings(layerCodings(this.layerA.doc)).map((c) => ({ ...c, coderId: this.a }));
    const b = this.td.resolveCodings(layerCodings(this.layerB.doc)).map((c) => ({ ...c, coderId: this.b }));
    this.codingsA = a;
    this.codingsB = b;
    this.turns = this.td.resolveTurns();
    this.items = findDisagreements(a, b).map((d, i) => ({ ...d, quote: text.slice(d.start, d.end), index: i + 1 }));
    this.decisions = this.td.decisions.toArray();
  }

  item(key: string | null): ReconcileItem | null {
    return key === null ? null : this.items.find((d) => d.key === key) ?? null;
  }

  #agreementsChecked = false;

  /**
   * Puts the pair's agreed codings into the consensus once the layers are here.
   * The server records them at the reveal when exactly two coders coded; with more
   * coders (or a transcript revealed before agreements were recorded) the pair is
   * chosen here. Idempotent: what is there already is not written again.
   */
  ensureAgreements(): void {
    if (!this.canDecide || !this.ready || this.#agreementsChecked) return;
    this.#agreementsChecked = true;
    recordAgreements(this.td, { a: this.a, b: this.b }, { a: layerCodings(this.layerA.doc), b: layerCodings(this.layerB.doc) });
  }

  /** Moves the shared position (everyone following goes there). */
  moveShared(key: string): void {
    if (!this.canDecide) return;
    if (pickPosition(this.state.entries(), this.#prefix)?.key === key) return;
    this.room.doc.transact(() => this.writePosition(key));
  }

  /** Writes this person's move with a logical clock above every move seen so far. */
  private writePosition(key: string): void {
    const seq = maxSeq(this.state.entries(), this.#prefix) + 1;
    this.state.set(`${this.#prefix}${this.me.id}`, { key, by: this.me.id, at: Date.now(), seq } satisfies SharedPosition);
  }

  /** Puts the shared position on the first undecided disagreement when there is none (yet) or it is stale. */
  ensureShared(): void {
    if (!this.canDecide || !this.ready) return;
    const valid = (): boolean => !!this.shared && this.items.some((d) => d.key === this.shared!.key);
    if (valid()) return;
    // Decide on fresh data only: the disagreements are recomputed once per frame, and a
    // list computed before every document arrived has other keys.
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.recompute();
    this.shared = pickPosition(this.state.entries(), this.#prefix);
    if (valid() || this.items.length === 0) return;
    this.moveShared(nextUndecided(this.items, latestByKey(this.td.decisions.toArray()), null) ?? this.items[0]!.key);
  }

  /**
   * Records a decision (consensus codings + log entry, through `applyDecision`)
   * and, when `advance`, moves the shared position to the next undecided
   * disagreement in the same transaction, so both coders see both at once.
   */
  decide(key: string, action: DecisionAction, comment: string, describe: (codeId: string) => string, advance: boolean): Decision {
    const d = this.item(key);
    if (!d) throw new Error('This disagreement no longer exists.');
    if (!this.canDecide) throw new Error('Only owners and coders can record decisions.');
    let decision: Decision | null = null;
    this.room.doc.transact(() => {
      decision = applyDecision(this.td, { a: layerCodings(this.layerA.doc), b: layerCodings(this.layerB.doc) }, d, action, this.me.id, comment, describe);
      if (advance) {
        const latest = latestByKey(this.td.decisions.toArray());
        const next = nextUndecided(this.items, latest, key);
        this.writePosition(next ?? key);
      }
    });
    this.decisions = this.td.decisions.toArray();
    return decision!;
  }

  /** Tells the others what this person is looking at. */
  announce(viewing: string | null, following: boolean): void {
    const cur = (this.room.awareness.getLocalState() as ReconcileAwareness | null)?.reconcile;
    if (cur && cur.pair === this.pair && cur.viewing === viewing && cur.following === following) return;
    this.room.awareness.setLocalStateField('reconcile', { pair: this.pair, viewing, following });
  }

  private refreshParticipants(): void {
    const self = this.room.doc.clientID;
    const out: Participant[] = [];
    for (const [clientId, raw] of this.room.awareness.getStates()) {
      const s = raw as ReconcileAwareness;
      if (!s.user || typeof s.user.id !== 'string' || !s.reconcile || s.reconcile.pair !== this.pair) continue;
      out.push({ clientId, user: s.user, isSelf: clientId === self, viewing: s.reconcile.viewing ?? null, following: s.reconcile.following !== false });
    }
    out.sort((x, y) => Number(y.isSelf) - Number(x.isSelf) || x.user.name.localeCompare(y.user.name));
    this.participants = out;
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
    for (const off of this.#offs) off();
    this.room.awareness.setLocalStateField('reconcile', null);
    this.layerA.destroy();
    this.layerB.destroy();
    this.room.destroy();
  }
}
