/**
 * The IPC contract, re-exported from its one home in app/. Through a subpath export because the
 * package root re-exports the domain and schema layers, whose names (PinHash, Settings …) would
 * collide with the contract's.
 */
export * from '@pos/app/contracts/desktop-bridge';
