/** `/feeds`: every feed the instance offers, in RSS and Atom, with how to make category and author feeds. */
import { Layout } from './layout.tsx';
import { SubscribeBox } from './subscribe-box.tsx';

export interface FeedsPageProps {
  baseUrl: string;
  /** The categories the instance follows, each offered as a feed. */
  categories: string[];
}

const EXAMPLE_CATEGORY = 'cs.LG';
const EXAMPLE_AUTHOR = 'Cheng Lu';

export function FeedsPageView({ baseUrl, categories }: FeedsPageProps) {
  const shown = categories.length > 0 ? categories : [EXAMPLE_CATEGORY];
  return (
    <Layout
      title="Feeds"
      description="RSS and Atom feeds of the daily papers, trending papers, categories and authors."
    >
      <div class="feeds-page">
        <h1>Feeds</h1>
        <p>Follow the papers in your feed reader. Every feed comes as RSS 2.0 and as Atom.</p>
        <ul class="feed-list">
          <FeedRow
            title="Daily papers"
            note="each paper as it is listed, newest first"
            path="/feeds/daily"
            baseUrl={baseUrl}
          />
          <FeedRow
            title="Trending"
            note="the last week's papers, ranked by upvotes that fade with time"
            path="/feeds/trending"
            baseUrl={baseUrl}
          />
          {shown.map((category) => (
            <FeedRow
              title={`Category ${category}`}
              note="listed papers with this primary or cross-listed category"
              path={`/feeds/category/${category}`}
              baseUrl={baseUrl}
            />
          ))}
          <FeedRow
            title={`Author: ${EXAMPLE_AUTHOR}`}
            note="listed papers by one author, as arXiv spells the name"
            path={`/feeds/author/${encodeURIComponent(EXAMPLE_AUTHOR)}`}
            baseUrl={baseUrl}
          />
        </ul>
        <p class="muted">
          Any category or author works the same way: <code>{baseUrl}/feeds/category/CATEGORY.rss</code> and{' '}
          <code>{baseUrl}/feeds/author/NAME.atom</code> (the name URL-encoded).
        </p>
        <SubscribeBox />
      </div>
    </Layout>
  );
}

function FeedRow({ title, note, path, baseUrl }: { title: string; note: string; path: string; baseUrl: string }) {
  return (
    <li class="feed-row">
      <span class="feed-title">{title}</span> <span class="muted">({note})</span>:{' '}
      <a href={`${baseUrl}${path}.rss`}>RSS</a> · <a href={`${baseUrl}${path}.atom`}>Atom</a>
    </li>
  );
}
