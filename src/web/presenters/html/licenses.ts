/** arXiv's license URLs as short names a reader recognises (`CC BY 4.0`), with the link kept. */

export interface LicenseLabel {
  name: string;
  /** The license's URL when it is a web address. */
  href: string | null;
}

const CREATIVE_COMMONS = /creativecommons\.org\/licenses\/([a-z-]+)\/(\d+(?:\.\d+)?)/i;
const CC_ZERO = /creativecommons\.org\/publicdomain\/zero\/(\d+(?:\.\d+)?)/i;
const ARXIV_NONEXCLUSIVE = /arxiv\.org\/licenses\/nonexclusive-distrib\//i;
const ARXIV_ASSUMED = /arxiv\.org\/licenses\/assumed-1991-2003/i;

/** A license from arXiv metadata (usually a URL), named; unknown URLs are shown as they are. */
export function licenseLabel(license: string): LicenseLabel {
  const href = /^https?:\/\//i.test(license) ? license : null;
  const cc = CREATIVE_COMMONS.exec(license);
  if (cc) return { name: `CC ${cc[1]!.toUpperCase()} ${cc[2]}`, href };
  const zero = CC_ZERO.exec(license);
  if (zero) return { name: `CC0 ${zero[1]}`, href };
  if (ARXIV_NONEXCLUSIVE.test(license)) return { name: 'arXiv non-exclusive license to distribute', href };
  if (ARXIV_ASSUMED.test(license)) return { name: 'arXiv assumed license (1991–2003)', href };
  return { name: license, href };
}
