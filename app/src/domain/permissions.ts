/**
 * Roles and named permissions. A role grants a set of permissions; anything a role does not grant
 * can still be done once with a manager's approval, which is recorded (who asked, who approved,
 * what, when). The till checks; the server re-checks from the recorded approvals.
 */
import { DomainError } from './errors.ts';

export const PERMISSIONS = [
  'sale.ring', // sell at all
  'line.void', // remove a line from an open sale
  'sale.void', // abandon a whole open sale
  'price.override', // change a line's unit price
  'discount.manual', // line or order discount within the role's limit
  'discount.beyond_limit', // a manual discount above the role's limit
  'return.with_receipt',
  'return.no_receipt',
  'return.beyond_window',
  'drawer.no_sale', // open the drawer without a sale
  'cash.paid_in',
  'cash.paid_out',
  'shift.open',
  'shift.close',
  'shift.accept_variance', // close with a cash variance over the threshold
  'report.x',
  'report.z',
  'customer.edit',
  'age.override', // sell an age-restricted item without the configured check
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export type Role = 'cashier' | 'supervisor' | 'manager' | 'hq';

export interface RolePolicy {
  readonly permissions: ReadonlySet<Permission>;
  /** Largest manual discount this role may give without approval, in millionths (RATE_SCALE). */
  readonly maxManualDiscountRate: number;
}

const cashier: Permission[] = [
  'sale.ring',
  'line.void',
  'discount.manual',
  'return.with_receipt',
  'cash.paid_in',
  'shift.open',
  'report.x',
  'customer.edit',
];
const supervisor: Permission[] = [
  ...cashier,
  'sale.void',
  'price.override',
  'return.no_receipt',
  'drawer.no_sale',
  'cash.paid_out',
  'shift.close',
];

export const DEFAULT_ROLE_POLICIES: Readonly<Record<Role, RolePolicy>> = {
  cashier: { permissions: new Set(cashier), maxManualDiscountRate: 100_000 },
  supervisor: { permissions: new Set(supervisor), maxManualDiscountRate: 250_000 },
  manager: { permissions: new Set(PERMISSIONS), maxManualDiscountRate: 1_000_000 },
  hq: { permissions: new Set(PERMISSIONS), maxManualDiscountRate: 1_000_000 },
};

export function roleAllows(role: Role, permission: Permission, policies = DEFAULT_ROLE_POLICIES): boolean {
  return policies[role].permissions.has(permission);
}

/** A manager's one-off approval of one action, as recorded on the sale, return or shift. */
export interface ApprovalRecord {
  readonly approvalId: string;
  readonly permission: Permission;
  /** The staff member who asked (the signed-in cashier). */
  readonly requestedBy: string;
  /** The staff member whose PIN approved it; their role must hold `permission`. */
  readonly approvedBy: string;
  readonly approvedAt: string;
  readonly reason?: string;
  /** The sale line the approval is for, when it is for one. */
  readonly lineId?: string;
}

export interface Actor {
  readonly staffId: string;
  readonly role: Role;
}

/**
 * Succeeds when `actor` holds `permission`, or when `approval` is a valid approval of exactly that
 * permission by someone whose role holds it; otherwise a `permission_denied` the UI answers by
 * asking for a manager's PIN.
 */
export function requirePermission(
  actor: Actor,
  permission: Permission,
  approval?: { readonly record: ApprovalRecord; readonly approverRole: Role },
  policies = DEFAULT_ROLE_POLICIES,
): void {
  if (roleAllows(actor.role, permission, policies)) return;
  if (approval === undefined) {
    throw new DomainError('permission_denied', `This needs a manager's approval (${permission}).`, {
      permission,
    });
  }
  const { record, approverRole } = approval;
  if (record.permission !== permission) {
    throw new DomainError(
      'approval_invalid',
      `The approval given is for ${record.permission}, not ${permission}.`,
      {
        permission,
      },
    );
  }
  if (record.approvedBy === actor.staffId) {
    throw new DomainError('approval_invalid', 'A different staff member must approve this.', { permission });
  }
  if (!roleAllows(approverRole, permission, policies)) {
    throw new DomainError('approval_invalid', `The approving staff member may not approve ${permission}.`, {
      permission,
    });
  }
}

/** A manager's approval as presented at the till: the record plus the approver's role. */
export interface GrantedApproval {
  readonly record: ApprovalRecord;
  readonly approverRole: Role;
}

/**
 * Checks `permission` for the actor, taking the matching approval from `approvals` when the role
 * alone does not allow it, and appends the approval used to `used` (the record keeps every approval
 * it relied on). Throws as `requirePermission` does.
 */
export function approveAction(
  actor: Actor,
  permission: Permission,
  approvals: readonly GrantedApproval[] | undefined,
  used: ApprovalRecord[],
  policies: Readonly<Record<Role, RolePolicy>> = DEFAULT_ROLE_POLICIES,
): void {
  if (roleAllows(actor.role, permission, policies)) return;
  const approval = approvals?.find((a) => a.record.permission === permission);
  requirePermission(actor, permission, approval, policies);
  if (approval !== undefined) used.push(approval.record);
}
