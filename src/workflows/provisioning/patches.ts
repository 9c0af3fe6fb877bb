/**
 * The provisioning workflow's patch ids. A run's history holds the ids it was started with, so these strings must
 * never change: each selects, on replay, the commands the run emitted when it ran.
 */

/** Runs started before the orphan audit existed replay without recording their tag. */
export const RECORD_TAG_PATCH = 'provisioning-tag-search-attribute';
/** Runs started by hand with blank free text (a name of spaces) before it was refused replay accepting it. */
export const REFUSE_BLANK_TEXT_PATCH = 'refuse-blank-text';
/**
 * Fewer billable actions (docs/budgets.md): search-attribute writes merged per workflow task, none repeated, the
 * transient registering-subscriptions stage kept out of the search attributes (the progress query and the run's
 * details still show it), and the readiness figures told to the watchers. Runs without it replay as they ran.
 */
export const FEWER_ACTIONS_PATCH = 'provisioning-fewer-actions';
/**
 * The starter drew the run's ProvisioningTag and set it at start with the creating-connector stage
 * (provisioningStartOptions), so the run takes its tag from there and upserts neither. Asked only when the start
 * carried a tag: runs started without one (by hand, or by an older starter) draw their own, as they always did.
 */
export const TAG_SET_AT_START_PATCH = 'tag-set-at-start';
