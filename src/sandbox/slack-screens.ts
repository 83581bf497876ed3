import type { StoredView } from './slack-records.js';

/**
 * What each person of the Slack stand-in's workspace has on screen from the app: a stack of
 * modals (views.open, views.push, views.update), the App Home tab (views.publish), and whose
 * screen each trigger_id belongs to.
 */
export class SlackScreens {
  private readonly modalStacks = new Map<string, StoredView[]>();
  private readonly homes = new Map<string, StoredView>();
  private readonly triggers = new Map<string, string>();
  private viewSeq = 0;

  private newView(view: unknown, id?: string): StoredView {
    this.viewSeq += 1;
    return {
      id: id ?? `V${String(this.viewSeq).padStart(8, '0')}`,
      hash: `${Math.floor(Date.now() / 1000)}.${this.viewSeq.toString(16).padStart(8, '0')}`,
      view: (view ?? {}) as Record<string, unknown>,
    };
  }

  registerTrigger(triggerId: string, user: string): void {
    this.triggers.set(triggerId, user);
  }

  /** views.open (a new stack) or views.push (on top of the stack) for the trigger's person. */
  open(triggerId: string, view: unknown, push: boolean): StoredView {
    const user = this.triggers.get(triggerId);
    // Slack cannot tell whose screen an unknown trigger is for; a stand-in used without the
    // sandbox page registers none, and gets the plain answer without a stored modal.
    const v = this.newView(view);
    if (user !== undefined) this.modalStacks.set(user, push ? [...this.modals(user), v] : [v]);
    return v;
  }

  /** views.update of a modal on someone's stack; undefined when no stack holds `viewId`. */
  update(viewId: string, view: unknown): StoredView | undefined {
    for (const stack of this.modalStacks.values()) {
      const index = stack.findIndex((v) => v.id === viewId);
      if (index < 0) continue;
      const v = this.newView(view, viewId);
      stack[index] = v;
      return v;
    }
    return undefined;
  }

  /** views.publish: the person's App Home tab, keeping its view id. */
  publish(user: string, view: unknown): StoredView {
    const v = this.newView(view, this.homes.get(user)?.id);
    this.homes.set(user, v);
    return v;
  }

  /**
   * What the app's answer to a view_submission does to `user`'s stack, by Slack's rules: no
   * answer closes the submitted view; clear closes all; errors keep it open. False: nothing changed.
   */
  applyViewResponse(user: string, viewId: string, response: unknown): boolean {
    const r = (typeof response === 'object' && response !== null ? response : {}) as Record<string, unknown>;
    const stack = this.modals(user);
    const index = stack.findIndex((v) => v.id === viewId);
    if (r.response_action === 'errors') return false;
    if (r.response_action === 'clear') this.modalStacks.set(user, []);
    else if (r.response_action === 'update' && index >= 0) stack[index] = this.newView(r.view, viewId);
    else if (r.response_action === 'push') stack.push(this.newView(r.view));
    else if (index >= 0) stack.splice(index, 1);
    return true;
  }

  /** The modal stack, top last. */
  modals(user: string): StoredView[] {
    return this.modalStacks.get(user) ?? [];
  }

  home(user: string): StoredView | undefined {
    return this.homes.get(user);
  }

  reset(): void {
    this.modalStacks.clear();
    this.homes.clear();
    this.triggers.clear();
  }
}

/** A view as the views.* methods answer it. */
export function viewAnswer(v: StoredView): Record<string, unknown> {
  return { ok: true, view: { ...v.view, id: v.id, hash: v.hash, state: { values: {} } } };
}
