/**
 * Runs `task` once the frame being prepared has been drawn: for work the screen does not wait for
 * (the customer's display, a search's prices and stock), so it does not delay what the cashier is
 * waiting to see. Without frames (tests, a hidden window) a timer runs it.
 */
export function afterNextFrame(task: () => void): void {
  if (
    typeof requestAnimationFrame === 'function' &&
    typeof document !== 'undefined' &&
    document.visibilityState === 'visible'
  ) {
    requestAnimationFrame(() => setTimeout(task, 0));
  } else {
    setTimeout(task, 0);
  }
}

/** `afterNextFrame` as a promise. */
export function nextFrameDrawn(): Promise<void> {
  return new Promise((resolve) => {
    afterNextFrame(resolve);
  });
}
