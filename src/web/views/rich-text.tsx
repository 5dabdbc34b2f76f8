/** Inserts HTML that a presenter built from escaped text and KaTeX output (see presenters/html/html.ts). */
import type { Html } from '../presenters/html/html.ts';

export interface RichTextProps {
  html: Html;
  /** The element to wrap it in. */
  as?: 'span' | 'p' | 'div';
  class?: string;
  id?: string;
}

export function RichText({ html, as: Tag = 'span', class: className, id }: RichTextProps) {
  return <Tag class={className} id={id} dangerouslySetInnerHTML={{ __html: html }} />;
}
