/**
 * Manager approval on the spot (`RequestApproval` of till-context.tsx). A screen asks for a
 * permission the signed-in role lacks; a dialog shows what is being approved and why, a manager
 * identifies themselves (staff code or staff card) and types their PIN; main verifies the PIN
 * (`staff.verifyPin`, which does not change who is signed in, and counts failures) and the till checks
 * the manager's role holds the permission (permissions.ts). The result is the ApprovalRecord the sale
 * records, or null when the cashier cancels. Nothing is recorded here.
 *
 * Requests made while a dialog is open wait their turn (first asked, first shown).
 */
import {
  DomainError,
  requirePermission,
  roleAllows,
  type ApprovalRecord,
  type Permission,
  type StaffDoc,
} from '@pos/app';
import {
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type ReactElement,
  type ReactNode,
} from 'react';
import { useTranslation } from 'react-i18next';
import '../styles/staff.css';
import { TillContext, useTill, type RequestApproval, type TillServices } from '../app/till-context.tsx';
import { useCardSwipes, type ScanSource } from './card-swipes.ts';
import { pinRefusalMessage, staffRefusalMessage } from './pin-errors.ts';
import { PinPad, takePin, useFocusRequest } from './pin-pad.tsx';
import { Message } from './sign-in-screen.tsx';
import { trapFocus } from './focus-trap.ts';
import { verifyStaffPin } from './staff-auth.ts';
import { findStaffByCode, staffRefusal } from './staff-lookup.ts';
import { useStaffChooser, type ScreenMessage } from './use-staff-chooser.ts';

type ApprovalRequest = Parameters<RequestApproval>[0];

interface Pending {
  readonly key: number;
  readonly request: ApprovalRequest;
  readonly resolve: (record: ApprovalRecord | null) => void;
}

export interface ApprovalProviderProps {
  /** Everything but `requestApproval`, which this provider adds. */
  readonly services: Omit<TillServices, 'requestApproval'>;
  /** The shell's wedge scans, so a manager can identify with their staff card. */
  readonly scans?: ScanSource;
  readonly children?: ReactNode;
}

/**
 * Provides the till's context with a working `requestApproval`, and shows the approval dialog over
 * whatever is on screen when one is asked for.
 */
export function ApprovalProvider(props: ApprovalProviderProps): ReactElement {
  const [queue, setQueue] = useState<readonly Pending[]>([]);
  const counter = useRef(0);
  const open = useRef<readonly Pending[]>([]);
  useEffect(() => {
    open.current = queue;
  }, [queue]);
  useEffect(
    () => () => {
      // Unmounted with requests open (sign-out, reload): they are cancelled, never left hanging.
      for (const pending of open.current) pending.resolve(null);
    },
    [],
  );

  const { session } = props.services;
  const requestApproval = useCallback<RequestApproval>(
    (request) => {
      if (session.getState().session === null) return Promise.resolve(null);
      return new Promise<ApprovalRecord | null>((resolve) => {
        counter.current += 1;
        const key = counter.current;
        setQueue((current) => [...current, { key, request, resolve }]);
      });
    },
    [session],
  );

  const services = useMemo<TillServices>(
    () => ({ ...props.services, requestApproval }),
    [props.services, requestApproval],
  );
  const head = queue[0];
  const settle = useCallback((pending: Pending, record: ApprovalRecord | null) => {
    setQueue((current) => current.filter((item) => item.key !== pending.key));
    pending.resolve(record);
  }, []);

  return (
    <TillContext.Provider value={services}>
      {props.children}
      {head !== undefined && (
        <ApprovalDialog
          key={head.key}
          request={head.request}
          {...(props.scans === undefined ? {} : { scans: props.scans })}
          onDone={(record) => {
            settle(head, record);
          }}
        />
      )}
    </TillContext.Provider>
  );
}

export interface ApprovalDialogProps {
  readonly request: ApprovalRequest;
  readonly scans?: ScanSource;
  readonly onDone: (record: ApprovalRecord | null) => void;
}

export function ApprovalDialog(props: ApprovalDialogProps): ReactElement {
  const { t } = useTranslation('staff');
  const { db, desktop, session: store, settings, now, newId } = useTill();
  const { request, onDone } = props;
  const requester = store.getState();
  const chooser = useStaffChooser();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [resetKey, setResetKey] = useState(0);
  const [message, setMessage] = useState<ScreenMessage | null>(null);
  const pinField = useRef<HTMLInputElement | null>(null);
  const focusPin = useFocusRequest(pinField);
  const codeField = useRef<HTMLInputElement | null>(null);
  const titleId = useId();
  const summaryId = useId();
  const codeId = useId();
  const swiped = chooser.selected;
  const permissionName = t(`permission.${request.permission}`);

  useEffect(() => {
    codeField.current?.focus();
  }, []);

  const focusCode = useFocusRequest(codeField);
  /** Shows why, and puts the cursor where the fix goes (the code, or the PIN to type again). */
  const fail = (text: string, fix: 'code' | 'pin' = 'pin'): void => {
    setMessage({ tone: 'error', text });
    if (fix === 'code') focusCode();
    else focusPin();
  };

  const approve = async (): Promise<void> => {
    const pin = takePin(pinField.current);
    setResetKey((key) => key + 1);
    if (busy) return;
    const requesterSession = requester.session;
    if (requesterSession === null) {
      onDone(null);
      return;
    }
    setBusy(true);
    try {
      const manager: StaffDoc | null = swiped ?? (await findStaffByCode(db, code));
      if (manager === null) {
        fail(
          code.trim() === '' ? t('approval.enterCode') : t('error.unknownCode', { code: code.trim() }),
          'code',
        );
        return;
      }
      const refusal = staffRefusal(manager, settings.storeId, now());
      if (refusal !== null) {
        fail(staffRefusalMessage(t, refusal, manager.displayName), 'code');
        return;
      }
      if (manager.id === requesterSession.staffId) {
        fail(t('approval.sameStaff'), 'code');
        return;
      }
      if (!roleAllows(manager.role, request.permission)) {
        fail(
          t('approval.notAllowed', { name: manager.displayName, role: t(`role.${manager.role}`) }),
          'code',
        );
        return;
      }
      const verified = await verifyStaffPin(desktop, manager, pin);
      if (!verified.ok) {
        fail(pinRefusalMessage(t, verified.refusal));
        return;
      }
      const record = approvalRecord({
        approvalId: newId(),
        permission: request.permission,
        requestedBy: requesterSession.staffId,
        approvedBy: manager.id,
        approvedAt: verified.value,
        reason: request.reason,
        lineId: request.lineId,
      });
      // The same rule the sale and the server apply; a record this till would refuse is never returned.
      requirePermission(
        { staffId: requesterSession.staffId, role: requesterSession.role },
        request.permission,
        { record, approverRole: manager.role },
      );
      onDone(record);
    } catch (error) {
      fail(error instanceof DomainError ? t('approval.invalid') : t('error.failed'));
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = useCardSwipes((read) => {
    setMessage(null);
    void chooser.bySwipe(read).then((staff) => {
      if (staff !== null) focusPin();
    });
  }, props.scans);

  const shown = message ?? chooser.message;

  return (
    <div className="staff-approval__backdrop">
      <div
        className="staff-approval"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={summaryId}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && !busy) {
            event.preventDefault();
            onDone(null);
            return;
          }
          trapFocus(event);
          onKeyDown(event);
        }}
      >
        <h2 id={titleId} className="staff-approval__title">
          {t('approval.title')}
        </h2>
        <dl id={summaryId} className="staff-approval__summary">
          <div>
            <dt>{t('approval.what')}</dt>
            <dd className="staff-approval__what">{permissionName}</dd>
          </div>
          {request.reason.trim() !== '' && (
            <div>
              <dt>{t('approval.why')}</dt>
              <dd>{request.reason}</dd>
            </div>
          )}
          <div>
            <dt>{t('approval.askedBy')}</dt>
            <dd>{requester.staffName}</dd>
          </div>
        </dl>
        <Message message={shown} />
        {swiped === null ? (
          <div className="staff-field">
            <label htmlFor={codeId} className="staff-field__label">
              {t('approval.codeLabel')}
            </label>
            <input
              ref={codeField}
              id={codeId}
              className="staff-field__input"
              value={code}
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              maxLength={16}
              disabled={busy}
              onChange={(event) => {
                setCode(event.currentTarget.value);
              }}
              onKeyDown={(event) => {
                if (event.key === 'Enter') {
                  event.preventDefault();
                  pinField.current?.focus();
                }
              }}
            />
            <p className="staff-field__hint">{t('approval.swipeHint')}</p>
          </div>
        ) : (
          <p className="staff-approval__manager">{t('approval.managerIs', { name: swiped.displayName })}</p>
        )}
        <PinPad
          inputRef={pinField}
          label={t('approval.pinLabel')}
          submitLabel={busy ? t('signIn.checking') : t('approval.approve')}
          disabled={busy}
          resetKey={resetKey}
          onSubmit={() => {
            void approve();
          }}
        />
        <button
          type="button"
          className="staff-button staff-button--ghost staff-approval__cancel"
          disabled={busy}
          onClick={() => {
            onDone(null);
          }}
        >
          {t('approval.cancel')}
        </button>
      </div>
    </div>
  );
}

function approvalRecord(fields: {
  readonly approvalId: string;
  readonly permission: Permission;
  readonly requestedBy: string;
  readonly approvedBy: string;
  readonly approvedAt: string;
  readonly reason: string;
  readonly lineId: string | undefined;
}): ApprovalRecord {
  const { lineId, reason, ...rest } = fields;
  return {
    ...rest,
    ...(reason.trim() === '' ? {} : { reason }),
    ...(lineId === undefined ? {} : { lineId }),
  };
}
