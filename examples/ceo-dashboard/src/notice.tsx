import type { ReactNode } from 'react';

/** A message on the sign-in page: why the user is there. */
export interface SignInNotice {
  tone: 'info' | 'warning';
  text: string;
}

/**
 * A one-line message, or nothing when there is none to show (`undefined`, `false`, `''`). A warning is announced at
 * once (`role="alert"`), information politely (`role="status"`); `live={false}` for a message that is part of the
 * content rather than news.
 */
export function Notice({
  tone,
  live = true,
  children,
}: {
  tone: 'warning' | 'info';
  live?: boolean;
  children: ReactNode;
}) {
  if (children === undefined || children === null || children === false || children === '') return null;
  const role = live ? (tone === 'warning' ? 'alert' : 'status') : undefined;
  return (
    <p className={`notice ${tone}`} role={role}>
      {children}
    </p>
  );
}
