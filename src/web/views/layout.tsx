/** The page frame shared by every page: head, header with navigation, footer. */
import type { ComponentChildren } from 'preact';

export interface LayoutProps {
  title: string;
  children: ComponentChildren;
}

export function Layout({ title, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Paperboy`}</title>
        <link rel="stylesheet" href="/static/style.css" />
      </head>
      <body>
        <header class="site-header">
          <a class="brand" href="/">
            Paperboy
          </a>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
