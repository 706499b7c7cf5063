import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import {
  requirePermission,
  roleAllows,
  type ApprovalRecord,
  type Permission,
  type Role,
} from './permissions.ts';

const approval = (permission: Permission, approvedBy = 'mgr-1'): ApprovalRecord => ({
  approvalId: 'ap-1',
  permission,
  requestedBy: 'cash-1',
  approvedBy,
  approvedAt: '2026-11-23T10:00:00Z',
});

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('roles', () => {
  it.each([
    ['cashier', 'sale.ring', true],
    ['cashier', 'line.void', true],
    ['cashier', 'price.override', false],
    ['cashier', 'return.no_receipt', false],
    ['cashier', 'shift.close', false],
    ['supervisor', 'price.override', true],
    ['supervisor', 'shift.accept_variance', false],
    ['manager', 'shift.accept_variance', true],
    ['manager', 'report.z', true],
  ] as [Role, Permission, boolean][])('%s may %s: %s', (role, permission, allowed) => {
    expect(roleAllows(role, permission)).toBe(allowed);
  });
});

describe('requirePermission', () => {
  const cashier = { staffId: 'cash-1', role: 'cashier' as const };

  it.each([
    ['allowed by role', 'line.void', undefined, undefined],
    ['no approval', 'price.override', undefined, 'permission_denied'],
    [
      'valid manager approval',
      'price.override',
      { record: approval('price.override'), approverRole: 'manager' },
      undefined,
    ],
    [
      'approval for another action',
      'price.override',
      { record: approval('sale.void'), approverRole: 'manager' },
      'approval_invalid',
    ],
    [
      'self-approval',
      'price.override',
      { record: approval('price.override', 'cash-1'), approverRole: 'manager' },
      'approval_invalid',
    ],
    [
      'approver lacks the permission',
      'shift.accept_variance',
      { record: approval('shift.accept_variance'), approverRole: 'supervisor' },
      'approval_invalid',
    ],
  ] as const)('%s', (_name, permission, given, expected) => {
    expect(
      codeOf(() => {
        requirePermission(cashier, permission, given);
      }),
    ).toBe(expected);
  });
});
