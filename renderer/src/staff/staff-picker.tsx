/**
 * Choosing who is signing in: a tile per person of this store (tap) or the staff code (type, Enter).
 * A staff card swipe selects too, through the screen that hosts this.
 */
import type { StaffDoc } from '@pos/app';
import { useEffect, useId, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useTill } from '../app/till-context.tsx';
import { listStaffForTiles } from './staff-lookup.ts';

/** The tiles for this till's store, loaded once per mount. */
export function useStaffTiles(): readonly StaffDoc[] {
  const { db, settings } = useTill();
  const [tiles, setTiles] = useState<readonly StaffDoc[]>([]);
  useEffect(() => {
    let live = true;
    listStaffForTiles(db, settings.storeId).then(
      (staff) => {
        if (live) setTiles(staff);
      },
      () => {
        // Without tiles the staff code still works.
      },
    );
    return () => {
      live = false;
    };
  }, [db, settings.storeId]);
  return tiles;
}

export function initialsOf(name: string): string {
  const words = name
    .trim()
    .split(/\s+/u)
    .filter((word) => word !== '');
  if (words.length === 0) return '?';
  // CJK names have no spaces: show the first two characters.
  if (words.length === 1)
    return Array.from(words[0] ?? '')
      .slice(0, 2)
      .join('')
      .toUpperCase();
  return `${Array.from(words[0] ?? '')[0] ?? ''}${Array.from(words[words.length - 1] ?? '')[0] ?? ''}`.toUpperCase();
}

export interface StaffPickerProps {
  readonly tiles: readonly StaffDoc[];
  readonly selectedId: string | null;
  readonly onPick: (staff: StaffDoc) => void;
  readonly onCode: (code: string) => void;
  readonly disabled?: boolean;
  readonly heading: string;
}

export function StaffPicker(props: StaffPickerProps): ReactElement {
  const { t } = useTranslation('staff');
  const [code, setCode] = useState('');
  const codeId = useId();
  const headingId = useId();
  const disabled = props.disabled === true;
  return (
    <section className="staff-picker" aria-labelledby={headingId}>
      <h2 id={headingId} className="staff-panel__title">
        {props.heading}
      </h2>
      <form
        className="staff-picker__code"
        onSubmit={(event) => {
          event.preventDefault();
          if (code.trim() === '') return;
          props.onCode(code);
          setCode('');
        }}
      >
        <label htmlFor={codeId} className="staff-field__label">
          {t('picker.codeLabel')}
        </label>
        <div className="staff-picker__code-row">
          <input
            id={codeId}
            className="staff-field__input"
            value={code}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={16}
            disabled={disabled}
            onChange={(event) => {
              setCode(event.currentTarget.value);
            }}
          />
          <button type="submit" className="staff-button" disabled={disabled || code.trim() === ''}>
            {t('picker.next')}
          </button>
        </div>
      </form>
      {props.tiles.length > 0 && (
        <ul className="staff-picker__tiles" aria-label={t('picker.tilesLabel')}>
          {props.tiles.map((staff) => (
            <li key={staff.id}>
              <button
                type="button"
                className="staff-tile"
                aria-pressed={props.selectedId === staff.id}
                disabled={disabled}
                onClick={() => {
                  props.onPick(staff);
                }}
              >
                <span className="staff-tile__avatar" aria-hidden="true">
                  {initialsOf(staff.displayName)}
                </span>
                <span className="staff-tile__name">{staff.displayName}</span>
                <span className="staff-tile__role">{t(`role.${staff.role}`)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <p className="staff-picker__swipe">{t('picker.swipeHint')}</p>
    </section>
  );
}
