// electron-builder's `afterPack` entry (electron-builder.yml). electron-builder loads hooks with plain
// require()/import(), which cannot read TypeScript, so this shim loads the typed hook through tsx (a root
// devDependency, always installed where packaging runs). Keeping the logic in flip-fuses.ts means it is
// typechecked, linted and unit-tested, and packaging does not depend on the app build emitting the hook.
import { tsImport } from 'tsx/esm/api';

/** @param {import('./flip-fuses.ts').FuseHookContext} context */
export async function afterPack(context) {
  /** @type {typeof import('./flip-fuses.ts')} */
  const hook = await tsImport('./flip-fuses.ts', import.meta.url);
  await hook.afterPack(context);
}
