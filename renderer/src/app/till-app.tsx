/**
 * The app root once the till has booted: waits for the store's configuration if it has not been
 * replicated yet, builds the runtime, registers the actions, attaches the keyboard and scanners,
 * resumes an unfinished sale, connects the customer display, and provides it all to the shell, under
 * the staff screens' approval provider (manager approvals for the sale controllers).
 */
import type { i18n as I18n } from 'i18next';
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { createCustomerDisplayPublisher, createPoleDisplayMirror } from '../customer-display/index.ts';
import { watchStoreConfig } from '../sale/store-config.ts';
import type { StoreConfig } from '../sale/store-config.ts';
import { ApprovalProvider } from '../staff/index.ts';
import { servicesFor } from './boot.ts';
import type { BootedTill } from './boot.ts';
import { connectCustomerDisplay } from './customer-display-bridge.ts';
import { RuntimeContext } from './runtime-context.tsx';
import { createTillRuntime } from './runtime.ts';
import type { RuntimeOptions, TillRuntime } from './runtime.ts';
import { Shell } from './shell.tsx';
import { registerTillActions } from './till-actions.ts';
import { useTill } from './till-context.tsx';
import { attachTillInput } from './till-input.ts';
import { ScanBus } from './keyboard.ts';
import { formatDiscountText } from '../sale/promotion-text.ts';

export interface TillAppProps {
  readonly till: BootedTill;
  readonly i18n: I18n;
  /** Test seams: the runtime's timings and the wedge detector's. */
  readonly runtimeOptions?: Partial<RuntimeOptions>;
  readonly wedge?: Parameters<typeof attachTillInput>[1]['wedge'];
}

export function TillApp(props: TillAppProps): ReactElement {
  const { till } = props;
  const [config, setConfig] = useState<StoreConfig | null>(till.storeConfig);
  useEffect(() => watchStoreConfig(till.db, till.storeId, setConfig), [till]);
  return (
    <I18nextProvider i18n={props.i18n}>
      {config === null ? (
        <WaitingForStore tillName={till.settings.tillName} />
      ) : (
        <ConfiguredTill {...props} config={config} />
      )}
    </I18nextProvider>
  );
}

function ConfiguredTill(props: TillAppProps & { readonly config: StoreConfig }): ReactElement {
  const { till, config } = props;
  // Wedge scans reach the approval dialog (staff cards) as well as the sale.
  const [scans] = useState(() => new ScanBus());
  const services = useMemo(
    () => servicesFor(till, config),
    // A new services object only when what it carries changes (not on every promotion edit).
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [till, config.currency, config.locale, config.timeZone],
  );
  return (
    <ApprovalProvider services={services} scans={scans.subscribe}>
      <RuntimeHost {...props} scans={scans} />
    </ApprovalProvider>
  );
}

function RuntimeHost(
  props: TillAppProps & { readonly config: StoreConfig; readonly scans: ScanBus },
): ReactElement | null {
  const { till, config, runtimeOptions, wedge, scans } = props;
  const services = useTill();
  const { t, i18n } = useTranslation();
  const [runtime, setRuntime] = useState<TillRuntime | null>(null);

  // Built once per till (the configuration updates it below); torn down with the screen.
  useEffect(() => {
    const created = createTillRuntime({
      services,
      config,
      deviceId: till.deviceId,
      shiftId: till.shiftId,
      translate: (key, params) => t(key, { ...params }),
      outboxRestored: till.outboxRestored,
      wedgeScans: scans,
      // Gift cards and store credit are checked with head office through the till's sync client.
      ...(till.accounts === undefined ? {} : { accounts: till.accounts }),
      ...runtimeOptions,
    });
    const unregister = registerTillActions(created);
    const detachInput = attachTillInput(created, {
      doc: document,
      ...(wedge === undefined ? {} : { wedge }),
    });
    setRuntime(created);
    void created.resumeOpenSale().catch((error: unknown) => {
      console.error('resuming the open sale failed', error);
    });
    return () => {
      detachInput();
      unregister();
      created.close();
      setRuntime(null);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [till]);

  useEffect(() => {
    runtime?.updateConfig(config);
  }, [runtime, config]);

  // Approvals come from the staff screens' provider around this component.
  useEffect(() => {
    runtime?.setApproval(services.requestApproval);
  }, [runtime, services.requestApproval]);

  // The customer's side of the counter: the display window (when this till has one) and the pole display.
  useEffect(() => {
    if (runtime === null) return undefined;
    const publisher = till.settings.customerDisplayEnabled
      ? createCustomerDisplayPublisher({ locale: i18n.language })
      : null;
    const pole = createPoleDisplayMirror(till.desktop, i18n);
    const stop = connectCustomerDisplay(
      runtime,
      {
        publish: (state) => {
          publisher?.publish(state);
          void pole(state);
        },
      },
      {
        locale: i18n.language,
        unitName: (unit) => t(`common:units.${unit}`),
        discountText: (discount) => {
          const { currency, locale } = runtime.config();
          return formatDiscountText(discount, t, locale, currency);
        },
      },
    );
    return () => {
      stop();
      publisher?.close();
    };
  }, [runtime, till, i18n, i18n.language, t]);

  if (runtime === null) return null;
  return (
    <RuntimeContext.Provider value={runtime}>
      <Shell />
    </RuntimeContext.Provider>
  );
}

function WaitingForStore(props: { readonly tillName: string }): ReactElement {
  const { t } = useTranslation('common');
  return (
    <div className="boot-screen" role="status">
      <p className="boot-screen__brand">{t('appName')}</p>
      <h1 className="boot-screen__title">{t('boot.waitingTitle')}</h1>
      <p className="boot-screen__text">{t('boot.waitingText', { till: props.tillName })}</p>
    </div>
  );
}
