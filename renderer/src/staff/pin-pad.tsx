/**
 * PIN entry: a masked field and a large keypad (touch), with the keyboard and the numeric keypad
 * working in the field. The digits live only in the DOM field, never in React state or a store; the
 * screen that submits reads them with `takePin` (which also empties the field) right before its call.
 */
import { useCallback, useEffect, useId, useState, type ReactElement, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';

export const PIN_MIN_LENGTH = 4;
export const PIN_MAX_LENGTH = 8;

/** Reads and wipes the PIN field: the PIN exists only for the duration of one call. */
export function takePin(field: HTMLInputElement | null): string {
  if (field === null) return '';
  const pin = field.value;
  field.value = '';
  return pin;
}

/**
 * Asks for the focus to move to `field` after the next render: the field may be disabled until that
 * render commits (no one selected yet, a PIN check in flight), and a disabled field cannot take focus.
 */
export function useFocusRequest(field: RefObject<HTMLElement | null>): () => void {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (tick > 0) field.current?.focus();
  }, [tick, field]);
  return useCallback(() => {
    setTick((current) => current + 1);
  }, []);
}

export interface PinPadProps {
  readonly inputRef: RefObject<HTMLInputElement | null>;
  /** The field's accessible name, e.g. "PIN for Alice Chen". */
  readonly label: string;
  readonly submitLabel: string;
  readonly onSubmit: () => void;
  readonly disabled?: boolean;
  /** Bumped by the parent after a submit so the keypad's digit count is reset too. */
  readonly resetKey?: number;
  readonly autoFocus?: boolean;
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export function PinPad(props: PinPadProps): ReactElement {
  const { t } = useTranslation('staff');
  const id = useId();
  // Only how many digits there are (for the Sign-in button), never which.
  const [entered, setEntered] = useState({ length: 0, resetKey: props.resetKey });
  const length = entered.resetKey === props.resetKey ? entered.length : 0;
  const disabled = props.disabled === true;

  const sync = (): void => {
    setEntered({ length: props.inputRef.current?.value.length ?? 0, resetKey: props.resetKey });
  };
  const edit = (change: (value: string) => string): void => {
    const field = props.inputRef.current;
    if (field === null || disabled) return;
    field.value = change(field.value).slice(0, PIN_MAX_LENGTH);
    sync();
    field.focus();
  };
  const canSubmit = !disabled && length >= PIN_MIN_LENGTH;

  return (
    <form
      className="staff-pinpad"
      onSubmit={(event) => {
        event.preventDefault();
        if (canSubmit) props.onSubmit();
      }}
    >
      <label className="staff-pinpad__label" htmlFor={id}>
        {props.label}
      </label>
      <input
        ref={props.inputRef}
        id={id}
        className="staff-pinpad__field"
        type="password"
        // The on-screen keypad is the touch input: no virtual keyboard on top of it.
        inputMode="none"
        autoComplete="off"
        maxLength={PIN_MAX_LENGTH}
        disabled={disabled}
        autoFocus={props.autoFocus}
        aria-describedby={`${id}-hint`}
        onChange={(event) => {
          const digits = event.currentTarget.value.replace(/\D/gu, '').slice(0, PIN_MAX_LENGTH);
          if (digits !== event.currentTarget.value) event.currentTarget.value = digits;
          sync();
        }}
      />
      <p id={`${id}-hint`} className="staff-pinpad__hint">
        {t('pin.hint', { min: PIN_MIN_LENGTH, max: PIN_MAX_LENGTH })}
      </p>
      <div className="staff-pinpad__keys">
        {KEYS.map((digit) => (
          <button
            key={digit}
            type="button"
            className="staff-pinpad__key"
            disabled={disabled}
            onClick={() => {
              edit((value) => value + digit);
            }}
          >
            {digit}
          </button>
        ))}
        <button
          type="button"
          className="staff-pinpad__key staff-pinpad__key--secondary"
          disabled={disabled}
          onClick={() => {
            edit(() => '');
          }}
        >
          {t('pin.clear')}
        </button>
        <button
          type="button"
          className="staff-pinpad__key"
          disabled={disabled}
          onClick={() => {
            edit((value) => value + '0');
          }}
        >
          0
        </button>
        <button
          type="button"
          className="staff-pinpad__key staff-pinpad__key--secondary"
          disabled={disabled}
          aria-label={t('pin.backspace')}
          onClick={() => {
            edit((value) => value.slice(0, -1));
          }}
        >
          <span aria-hidden="true">⌫</span>
        </button>
      </div>
      <button
        type="submit"
        className="staff-button staff-button--primary staff-pinpad__submit"
        disabled={!canSubmit}
      >
        {props.submitLabel}
      </button>
    </form>
  );
}
