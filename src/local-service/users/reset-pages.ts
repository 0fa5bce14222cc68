/** The small HTML pages behind a reset link. Only fixed text goes in; nothing is user-supplied. */

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
label { display: block; margin: 1rem 0 0.25rem; }
input { width: 100%; padding: 0.5rem; box-sizing: border-box; }
button { margin-top: 1.5rem; padding: 0.5rem 1.25rem; }
.error { color: #b00020; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

export function resetFormPage(options: { minLength: number; errors?: string[] }): string {
  const errors = (options.errors ?? []).map((error) => `<p class="error">${escapeHtml(error)}</p>`).join('\n');
  // No action attribute: the form posts back to the link itself, token included.
  return page(
    'Choose a new password',
    `${errors}
<form method="post">
<label for="password">New password (at least ${options.minLength} characters)</label>
<input id="password" name="password" type="password" minlength="${options.minLength}" autocomplete="new-password" required>
<label for="password_confirmation">Repeat it</label>
<input id="password_confirmation" name="password_confirmation" type="password" autocomplete="new-password" required>
<button type="submit">Set password</button>
</form>`,
  );
}

export function resetDonePage(): string {
  return page(
    'Password changed',
    '<p>Your password has been changed. Sign in with the new one; other sessions were signed out.</p>',
  );
}

export function resetLinkErrorPage(message: string): string {
  return page('Password reset link', `<p class="error">${escapeHtml(message)}</p>`);
}

/** Links carry secrets in their path: not cached, not leaked through Referer, not framed. */
export const RESET_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
} as const;
