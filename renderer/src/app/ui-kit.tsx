/**
 * Small building blocks of the till screen: a button bound to a registered action, a modal dialog,
 * and formatting in the store's locale and currency.
 */
import type { Unit } from '@pos/app';
import { useCallback, useEffect, useId, useRef, type ReactElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney, formatQuantity } from '../i18n/format.ts';
import { useAction, useRuntime } from './runtime-context.tsx';

export interface Format {
  money(amount: number): string;
  /** "2", "0.752 kg". */
  quantity(quantity: number, unit: Unit): string;
}

export function useFormat(): Format {
  const runtime = useRuntime();
  const { currency, locale } = runtime.config();
  const { t } = useTranslation('common');
  return {
    money: (amount) => formatMoney(amount, currency, locale),
    quantity: (quantity, unit) =>
      unit === 'each'
        ? formatQuantity(quantity, locale)
        : t('units.measure', { quantity: formatQuantity(quantity, locale), unit: t(`units.${unit}`) }),
  };
}

export interface ActionButtonProps {
  readonly action: string;
  readonly variant?: 'primary' | 'secondary' | 'danger' | 'quiet';
  readonly size?: 'normal' | 'large';
  readonly className?: string;
  /** Replaces the action's label (still translated). */
  readonly labelKey?: string;
  readonly children?: ReactNode;
}

/** A button that runs a registered action: its label, its shortcut shown beside it, its enabled rule. */
export function ActionButton(props: ActionButtonProps): ReactElement {
  const { t } = useTranslation();
  const action = useAction(props.action);
  const classes = [
    'btn',
    `btn--${props.variant ?? 'secondary'}`,
    props.size === 'large' ? 'btn--large' : '',
    props.className ?? '',
  ]
    .filter((c) => c !== '')
    .join(' ');
  return (
    <button
      type="button"
      className={classes}
      disabled={!action.enabled}
      onClick={action.run}
      {...(action.shortcut === '' ? {} : { 'aria-keyshortcuts': keyshortcutsAttribute(action.shortcut) })}
    >
      <span className="btn__label">{t(props.labelKey ?? action.labelKey)}</span>
      {props.children}
      {action.shortcut !== '' && (
        <kbd className="btn__key" aria-hidden="true">
          {action.shortcut}
        </kbd>
      )}
    </button>
  );
}

/** The ARIA form of a printed shortcut ("Shift+F8", "Num +" → "Shift+F8", "+"). */
function keyshortcutsAttribute(printed: string): string {
  return printed.replace(/^Num /u, '').replace('−', '-').replace('×', '*').replace('Esc', 'Escape');
}

export interface DialogProps {
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ReactNode;
  readonly className?: string;
  /** A description read with the title (e.g. the line the dialog is about). */
  readonly description?: string;
  readonly wide?: boolean;
}

/**
 * A modal dialog: labelled by its title, Esc closes, the first field (or button) takes the focus,
 * and the focus returns to where it was when it closes.
 */
export function Dialog(props: DialogProps): ReactElement {
  const titleId = useId();
  const descriptionId = useId();
  const box = useRef<HTMLDivElement | null>(null);
  const { onClose } = props;
  const { t } = useTranslation('common');

  useEffect(() => {
    const previous = document.activeElement;
    const first = box.current?.querySelector<HTMLElement>('input, select, textarea, [data-autofocus]');
    (first ?? box.current?.querySelector<HTMLElement>('button'))?.focus();
    return () => {
      if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
    };
  }, []);

  const onKeyDown = useCallback(
    (event: React.KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        onClose();
      }
    },
    [onClose],
  );

  return (
    <div className="dialog-backdrop">
      <div
        ref={box}
        className={['dialog', props.wide === true ? 'dialog--wide' : '', props.className ?? '']
          .join(' ')
          .trim()}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        {...(props.description === undefined ? {} : { 'aria-describedby': descriptionId })}
        onKeyDown={onKeyDown}
      >
        <header className="dialog__header">
          <h2 id={titleId} className="dialog__title">
            {props.title}
          </h2>
          <button
            type="button"
            className="btn btn--quiet dialog__close"
            onClick={onClose}
            aria-label={t('actions.close')}
          >
            ×
          </button>
        </header>
        {props.description !== undefined && (
          <p id={descriptionId} className="dialog__description">
            {props.description}
          </p>
        )}
        <div className="dialog__body">{props.children}</div>
      </div>
    </div>
  );
}
