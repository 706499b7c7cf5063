/**
 * i18next for the till: English and Simplified Chinese. Every screen's strings live in one namespace
 * file per language (`locales/<lng>/<namespace>.json`), picked up by `import.meta.glob`, so adding a
 * screen never edits this file. The receipt's words and the promotion texts are the one exception: the
 * printed receipt needs them too, in the store's language, so they live in @pos/app (receipt-texts.ts)
 * and are bundled here as the `printed` namespace rather than copied into JSON files that could drift. Money, numbers and dates are never put into strings by hand: they go
 * through `Intl` in the store's locale and currency (format.ts).
 */
import i18next, { type i18n as I18n, type Resource } from 'i18next';
import { RECEIPT_TEXTS } from '@pos/app';
import { initReactI18next } from 'react-i18next';

export const SUPPORTED_LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

type Namespace = Readonly<Record<string, unknown>>;
const files = import.meta.glob<Namespace>('./locales/*/*.json', { eager: true, import: 'default' });

/** All bundled strings, by language then namespace. */
export function bundledResources(): Resource {
  const resources: Record<string, Record<string, Namespace>> = {};
  for (const [path, strings] of Object.entries(files)) {
    const match = /\/locales\/([^/]+)\/([^/]+)\.json$/.exec(path);
    if (match === null) continue;
    const [, language = '', namespace = ''] = match;
    (resources[language] ??= {})[namespace] = strings;
  }
  for (const [language, texts] of Object.entries(RECEIPT_TEXTS)) {
    (resources[language] ??= {}).printed = Object.fromEntries(Object.entries(texts));
  }
  return resources;
}

export function namespaces(): string[] {
  return [...new Set(Object.values(bundledResources()).flatMap((byNs) => Object.keys(byNs)))].sort();
}

/** The language for a BCP 47 locale: any Chinese locale reads Simplified Chinese, anything else English. */
export function languageFor(locale: string): Language {
  return locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** A fresh i18next instance (not the global one), so tests and the customer display stay independent. */
export async function createI18n(locale: string): Promise<I18n> {
  const instance = i18next.createInstance();
  await instance.use(initReactI18next).init({
    resources: bundledResources(),
    lng: languageFor(locale),
    fallbackLng: 'en',
    ns: namespaces(),
    defaultNS: 'common',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    // A missing key is a bug; tests look for the marker (i18n.test.ts checks every key in both languages).
    saveMissing: false,
  });
  return instance;
}
