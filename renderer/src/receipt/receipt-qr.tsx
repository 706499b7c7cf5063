/**
 * The receipt's QR code (the digital-receipt link the ReceiptModel's code block carries), drawn as an
 * SVG by bwip-js and shown as an <img> data URL (the CSP allows `img-src data:`, and no markup is
 * injected). bwip-js is loaded on first use, so it never slows the till's start, and draws after the
 * receipt's first frame, so "Sale complete" never waits for it. Until it has drawn, or if it cannot be
 * loaded, the receipt number stands in as text.
 */
import { useEffect, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';

/** The SVG of a QR code for `data`. */
export async function qrSvg(data: string): Promise<string> {
  const bwip = await import('bwip-js/browser');
  return bwip.qrcode({ bcid: 'qrcode', text: data, scale: 3 }, bwip.drawingSVG());
}

export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export function ReceiptQr(props: { readonly data: string; readonly receiptNumber: string }): ReactElement {
  const { t } = useTranslation('receipt');
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setUrl(null);
    const draw = (): void => {
      if (!live) return;
      qrSvg(props.data).then(
        (svg) => {
          if (live) setUrl(svgDataUrl(svg));
        },
        () => {
          // No QR: the number below it still identifies the receipt.
        },
      );
    };
    // After the next frame has been painted (without frames, as in jsdom: at once, asynchronously).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame =
      typeof requestAnimationFrame === 'function'
        ? requestAnimationFrame(() => {
            timer = setTimeout(draw, 0);
          })
        : undefined;
    if (frame === undefined) timer = setTimeout(draw, 0);
    return () => {
      live = false;
      if (frame !== undefined) cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [props.data]);
  return (
    <figure className="receipt-qr">
      {url === null ? (
        <span className="receipt-qr__placeholder" aria-hidden="true" />
      ) : (
        <img className="receipt-qr__image" src={url} alt={t('qr.alt', { number: props.receiptNumber })} />
      )}
      <figcaption className="receipt-qr__caption">{t('qr.caption')}</figcaption>
    </figure>
  );
}
