package io.waymark.action;

/**
 * An {@link ActionType} whose whole effect is in Waymark's own database (a field update, a new
 * record, a signal). The outbox runs it inside the transaction that marks its entry done, so its
 * effect and the entry's completion commit together: it happens exactly once, even across crashes.
 * Types that reach outside (email, webhooks) must not implement this.
 */
public interface TransactionalActionType extends ActionType {
}
