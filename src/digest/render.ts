/**
 * The digest as a mail: a plain-text part that reads well on its own, and an HTML part built for mail clients
 * rather than browsers (layout tables, inline styles, nothing fetched from elsewhere: no images, no web fonts, no
 * scripts, no tracking pixels). Colours are declared for light and dark (`color-scheme` and a
 * prefers-color-scheme block for clients that honour it) and chosen so that clients which invert colours on their
 * own still leave readable text. Every link is absolute on PAPERBOY_BASE_URL, and every piece of catalogue text is
 * escaped (titles may contain `<` and `&`).
 */
import { DateTime } from 'luxon';
import type { DigestPeriod } from '../domain/digest-period.ts';
import type { Paper } from '../domain/paper.ts';
import { listUnsubscribeHeaders, unsubscribeUrl } from '../mail/subscription-mails.ts';
import type { MailMessage } from '../mail/transport.ts';
import { escapeHtml } from '../web/presenters/html/html.ts';
import { paperPath } from '../web/presenters/html/paths.ts';
import { texPlainText } from '../web/presenters/html/tex-html.ts';
import type { DigestContent, DigestPaper, ForYouPaper, ForYouReason } from './compose.ts';

/** Authors named before "et al.": enough to recognise a group, short enough for one line on a phone. */
export const SHORT_AUTHORS_MAX = 3;
/** A summary longer than this many characters is cut at a word boundary (an abstract's first "sentence" can be long). */
export const SUMMARY_MAX_CHARS = 280;
/** Width of the mail's content column, in CSS pixels: the usual for mail (fits every desktop client's pane). */
const CONTENT_WIDTH_PX = 600;

/** Colours: light values inline, dark ones in the prefers-color-scheme block (both pass WCAG AA contrast). */
const COLOURS = {
  page: '#f4f5f7',
  card: '#ffffff',
  text: '#1c1e22',
  muted: '#5d6470',
  link: '#1f5a8f',
  rule: '#dde1e6',
  darkPage: '#111317',
  darkCard: '#1b1e23',
  darkText: '#e8eaed',
  darkMuted: '#a9b0bb',
  darkLink: '#8cc4ff',
  darkRule: '#30353c',
} as const;

export interface DigestRenderOptions {
  /** PAPERBOY_BASE_URL without a trailing slash. */
  baseUrl: string;
  siteName: string;
  /** The footer's unsubscribe link (absolute). */
  unsubscribeLink: string;
}

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

/** "Trending papers, Monday 30 November" / "This week's trending papers, 23–29 November". */
export function digestSubject(period: DigestPeriod): string {
  const day = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setLocale('en-GB');
  if (period.cadence === 'daily') return `Trending papers, ${day(period.today).toFormat('cccc d LLLL')}`;
  const from = day(period.covers.from);
  const to = day(period.covers.to);
  let range: string;
  if (from.year !== to.year) range = `${from.toFormat('d LLLL yyyy')} – ${to.toFormat('d LLLL yyyy')}`;
  else if (from.month !== to.month) range = `${from.toFormat('d LLLL')} – ${to.toFormat('d LLLL')}`;
  else range = `${from.toFormat('d')}–${to.toFormat('d LLLL')}`;
  return `This week's trending papers, ${range}`;
}

/** "Ada Lovelace, Alan Turing and Grace Hopper", or the first SHORT_AUTHORS_MAX then "et al."; "" when unknown. */
export function shortAuthors(authors: readonly string[]): string {
  if (authors.length === 0) return '';
  if (authors.length > SHORT_AUTHORS_MAX) return `${authors.slice(0, SHORT_AUTHORS_MAX).join(', ')} et al.`;
  if (authors.length === 1) return authors[0]!;
  return `${authors.slice(0, -1).join(', ')} and ${authors[authors.length - 1]}`;
}

/**
 * The abstract's first sentence as plain text (formulas as readable source), cut at a word boundary when long;
 * "" for a paper without an abstract (nothing is made up in its place).
 */
export function oneSentenceSummary(abstract: string): string {
  const plain = texPlainText(abstract.replace(/\s+/g, ' ').trim()).trim();
  if (plain === '') return '';
  // A sentence ends at . ! or ? followed by a space and a capital or digit, not after an abbreviation like "e.g.".
  const end = /(?<!\b(?:e\.g|i\.e|et al|cf|vs|resp|Fig|Eq|Sec|approx))[.!?](?=\s+[\p{Lu}\p{N}(])/u.exec(plain);
  const sentence = end ? plain.slice(0, end.index + 1) : plain;
  if (sentence.length <= SUMMARY_MAX_CHARS) return sentence;
  const cut = sentence.slice(0, SUMMARY_MAX_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > SUMMARY_MAX_CHARS / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}…`;
}

/** The absolute address of a paper's page on the instance. */
export function paperUrl(baseUrl: string, paper: Pick<Paper, 'id'>): string {
  return `${baseUrl}${paperPath(paper.id)}`;
}

function upvotesText(upvotes: number): string {
  return `${upvotes} upvote${upvotes === 1 ? '' : 's'}`;
}

function reasonText(reason: ForYouReason): string {
  if (reason.kind === 'category') return `in ${reason.value}`;
  if (reason.kind === 'author') return `by ${reason.value}`;
  return `mentions “${reason.value}”`;
}

/** The subject and both parts of a digest. */
export function renderDigest(content: DigestContent, options: DigestRenderOptions): RenderedDigest {
  return {
    subject: digestSubject(content.period),
    text: renderText(content, options),
    html: renderHtml(content, options),
  };
}

/**
 * The digest as a message to one subscription: its own unsubscribe link in the footer and the RFC 8058 headers
 * that let the mail client unsubscribe with one click.
 */
export function digestMail(
  content: DigestContent,
  subscription: { id: number; email: string },
  options: Omit<DigestRenderOptions, 'unsubscribeLink'> & { secret: string },
): MailMessage {
  const unsubscribeLink = unsubscribeUrl(options.baseUrl, options.secret, subscription.id);
  const rendered = renderDigest(content, { ...options, unsubscribeLink });
  return {
    to: subscription.email,
    ...rendered,
    headers: listUnsubscribeHeaders(options.baseUrl, options.secret, subscription.id),
  };
}

function intro(content: DigestContent): string {
  return content.period.cadence === 'daily'
    ? 'The papers people are upvoting right now.'
    : 'The papers people upvoted most over the past week.';
}

function renderText(content: DigestContent, options: DigestRenderOptions): string {
  const lines: string[] = [digestSubject(content.period), '', intro(content), ''];
  const paperLines = (item: DigestPaper, index: number, reasons?: ForYouReason[]) => {
    const { paper } = item;
    const out = [`${index + 1}. ${texPlainText(paper.title)}`];
    const authors = shortAuthors(paper.authors);
    if (authors) out.push(`   ${authors}`);
    const summary = oneSentenceSummary(paper.abstract);
    if (summary) out.push(`   ${summary}`);
    const meta = [upvotesText(paper.upvotes), ...(reasons ?? []).map(reasonText)].join(' · ');
    out.push(`   ${meta}`, `   ${paperUrl(options.baseUrl, paper)}`, '');
    return out;
  };
  lines.push('TRENDING', '');
  if (content.top.length === 0) lines.push('Nothing was listed in the last days.', '');
  content.top.forEach((item, i) => {
    lines.push(...paperLines(item, i));
  });
  if (content.hasTopics) {
    lines.push('FOR YOU', '');
    if (content.forYou.length === 0) lines.push('Nothing new matched your topics this time.', '');
    content.forYou.forEach((item, i) => {
      lines.push(...paperLines(item, i, item.reasons));
    });
  }
  lines.push(
    '--',
    `All trending papers: ${options.baseUrl}/papers/trending`,
    `You receive this ${content.period.cadence} digest from ${options.siteName} because you subscribed to it.`,
    `Unsubscribe (one click): ${options.unsubscribeLink}`,
  );
  return `${lines.join('\n')}\n`;
}

const FONT = "font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;";

function paperRowHtml(item: DigestPaper | ForYouPaper, options: DigestRenderOptions, reasons: ForYouReason[]): string {
  const { paper } = item;
  const url = escapeHtml(paperUrl(options.baseUrl, paper));
  const authors = shortAuthors(paper.authors);
  const summary = oneSentenceSummary(paper.abstract);
  const meta = [upvotesText(paper.upvotes), ...reasons.map(reasonText)].join(' · ');
  return `<tr><td class="pb-rule" style="padding: 14px 0; border-bottom: 1px solid ${COLOURS.rule};">
<a class="pb-link" href="${url}" style="${FONT} font-size: 17px; line-height: 1.35; font-weight: 600; color: ${COLOURS.link}; text-decoration: none;">${escapeHtml(texPlainText(paper.title))}</a>
${authors ? `<div class="pb-muted" style="${FONT} font-size: 14px; line-height: 1.4; color: ${COLOURS.muted}; padding-top: 3px;">${escapeHtml(authors)}</div>` : ''}
${summary ? `<div class="pb-text" style="${FONT} font-size: 15px; line-height: 1.5; color: ${COLOURS.text}; padding-top: 6px;">${escapeHtml(summary)}</div>` : ''}
<div class="pb-muted" style="${FONT} font-size: 13px; line-height: 1.4; color: ${COLOURS.muted}; padding-top: 6px;">${escapeHtml(meta)}</div>
</td></tr>`;
}

function sectionHtml(title: string, rows: string[], empty: string): string {
  const body =
    rows.length > 0
      ? rows.join('\n')
      : `<tr><td class="pb-muted" style="${FONT} font-size: 15px; color: ${COLOURS.muted}; padding: 14px 0;">${escapeHtml(empty)}</td></tr>`;
  return `<tr><td style="padding: 24px 0 0;">
<h2 class="pb-text" style="${FONT} margin: 0; font-size: 13px; letter-spacing: 0.08em; text-transform: uppercase; color: ${COLOURS.text};">${escapeHtml(title)}</h2>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
${body}
</table>
</td></tr>`;
}

function renderHtml(content: DigestContent, options: DigestRenderOptions): string {
  const subject = digestSubject(content.period);
  const base = escapeHtml(options.baseUrl);
  const sections = [
    sectionHtml(
      'Trending',
      content.top.map((item) => paperRowHtml(item, options, [])),
      'Nothing was listed in the last days.',
    ),
  ];
  if (content.hasTopics) {
    sections.push(
      sectionHtml(
        'For you',
        content.forYou.map((item) => paperRowHtml(item, options, item.reasons)),
        'Nothing new matched your topics this time.',
      ),
    );
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${escapeHtml(subject)}</title>
<style>
@media (prefers-color-scheme: dark) {
  .pb-page { background-color: ${COLOURS.darkPage} !important; }
  .pb-card { background-color: ${COLOURS.darkCard} !important; }
  .pb-text { color: ${COLOURS.darkText} !important; }
  .pb-muted { color: ${COLOURS.darkMuted} !important; }
  .pb-link { color: ${COLOURS.darkLink} !important; }
  .pb-rule { border-color: ${COLOURS.darkRule} !important; }
}
</style>
</head>
<body class="pb-page" style="margin: 0; padding: 0; background-color: ${COLOURS.page};">
<table role="presentation" class="pb-page" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color: ${COLOURS.page};">
<tr><td align="center" style="padding: 24px 12px;">
<table role="presentation" class="pb-card" width="${CONTENT_WIDTH_PX}" cellpadding="0" cellspacing="0" border="0" style="width: 100%; max-width: ${CONTENT_WIDTH_PX}px; background-color: ${COLOURS.card}; border-radius: 8px;">
<tr><td style="padding: 24px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
<tr><td>
<div class="pb-muted" style="${FONT} font-size: 13px; color: ${COLOURS.muted};"><a class="pb-link" href="${base}/" style="color: ${COLOURS.link}; text-decoration: none; font-weight: 600;">${escapeHtml(options.siteName)}</a></div>
<h1 class="pb-text" style="${FONT} margin: 6px 0 4px; font-size: 22px; line-height: 1.3; color: ${COLOURS.text};">${escapeHtml(subject)}</h1>
<p class="pb-muted" style="${FONT} margin: 0; font-size: 15px; color: ${COLOURS.muted};">${escapeHtml(intro(content))}</p>
</td></tr>
${sections.join('\n')}
<tr><td class="pb-muted" style="${FONT} padding-top: 24px; font-size: 13px; line-height: 1.5; color: ${COLOURS.muted};">
<a class="pb-link" href="${base}/papers/trending" style="color: ${COLOURS.link};">All trending papers</a><br>
You receive this ${content.period.cadence} digest from ${escapeHtml(options.siteName)} because you subscribed to it.
<a class="pb-link" href="${escapeHtml(options.unsubscribeLink)}" style="color: ${COLOURS.link};">Unsubscribe</a> (one click).
</td></tr>
</table>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}
