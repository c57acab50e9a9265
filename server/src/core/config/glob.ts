/**
 * Glob patterns for the `finetune.formatAssociations` setting: `*`, `**`, `?`, `{a,b}` and `[abc]`, matched
 * against a `/`-separated path. A pattern without a `/` matches the file name in any folder, as in VS Code's
 * `files.associations`.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inBraces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/';
        re += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      inBraces++;
      re += '(?:';
    } else if (c === '}' && inBraces) {
      inBraces--;
      re += ')';
    } else if (c === ',' && inBraces) re += '|';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close > i) {
        re += `[${glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = close;
      } else re += '\\[';
    } else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function matchesGlob(glob: string, path: string): boolean {
  const normalized = path.replace(/\\/g, '/');
  const pattern = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!pattern.includes('/')) return globToRegExp(pattern).test(normalized.slice(normalized.lastIndexOf('/') + 1));
  const re = globToRegExp(pattern.startsWith('/') || pattern.startsWith('**') ? pattern.replace(/^\//, '') : `**/${pattern}`);
  return re.test(normalized.replace(/^\//, ''));
}
