/** The friendly page for 4xx and 5xx answers on the site. */
import type { ComponentChildren } from 'preact';
import { Layout } from './layout.tsx';

export interface ErrorPageProps {
  status: number;
  title: string;
  message: string;
  children?: ComponentChildren;
}

export function ErrorPage({ status, title, message, children }: ErrorPageProps) {
  return (
    <Layout title={title}>
      <section class="error-page">
        <p class="error-status">{status}</p>
        <h1>{title}</h1>
        <p>{message}</p>
        {children}
        <p>
          <a href="/">Back to today’s papers</a>
        </p>
      </section>
    </Layout>
  );
}
