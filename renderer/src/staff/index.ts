/** Staff: sign-in, lock screen and quick switch, idle lock, and manager approval. */
export { ApprovalDialog, ApprovalProvider } from './approval.tsx';
export type { ApprovalDialogProps, ApprovalProviderProps } from './approval.tsx';
export type { ScanSource } from './card-swipes.ts';
export { IdleLock, useIdleLock } from './idle-lock.ts';
export { LockScreen } from './lock-screen.tsx';
export type { LockScreenProps } from './lock-screen.tsx';
export { restoreSession, signOut } from './restore-session.ts';
export { createSessionStore } from './session-store.ts';
export { SignInScreen } from './sign-in-screen.tsx';
export type { SignInScreenProps } from './sign-in-screen.tsx';
export { looksLikeSwipe, readStaffBadge, readStaffCard } from './staff-card.ts';
export type { StaffCardRead } from './staff-card.ts';
