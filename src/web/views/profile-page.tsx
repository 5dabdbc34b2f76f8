/** Someone's page, `/u/{username}`: who they are and what they did here lately. */
import type {
  ProfileCommentEntry,
  ProfileList,
  ProfilePage,
  ProfilePaperEntry,
} from '../presenters/html/profile-page.ts';
import { CommentIcon, UpvoteIcon } from './icons.tsx';
import { Layout } from './layout.tsx';
import { RichText } from './rich-text.tsx';

export function ProfilePageView({ page, canonicalUrl }: { page: ProfilePage; canonicalUrl: string }) {
  const name = page.displayName ?? page.username;
  return (
    <Layout
      title={`${name} (@${page.username})`}
      description={`${name}'s submissions, upvotes and comments on Paperboy.`}
      canonicalUrl={canonicalUrl}
      math
      noIndex={page.suspended}
    >
      <div class="profile-page">
        <header class="profile-header">
          <h1>{name}</h1>
          <p class="profile-meta">
            <span class="profile-username">@{page.username}</span>
            {page.isAdmin && <span class="badge">admin</span>}
            {page.joined && (
              <span>
                joined <time datetime={page.joined.iso}>{page.joined.text}</time>
              </span>
            )}
          </p>
        </header>
        {page.suspended ? (
          <p class="notice notice-warning" role="status">
            This account is suspended: its activity is not shown.
          </p>
        ) : (
          <>
            <PaperSection
              id="submissions"
              title="Submissions"
              list={page.submissions}
              empty="No papers submitted yet."
              dated="submitted"
            />
            <PaperSection
              id="upvotes"
              title="Upvoted papers"
              list={page.upvoted}
              empty="No upvotes yet."
              dated="upvoted"
            />
            <CommentSection list={page.comments} />
          </>
        )}
      </div>
    </Layout>
  );
}

function Count({ list }: { list: ProfileList<unknown> }) {
  return (
    <span class="profile-count">{list.more ? `latest ${list.items.length} of ${list.total}` : String(list.total)}</span>
  );
}

function PaperSection(props: {
  id: string;
  title: string;
  list: ProfileList<ProfilePaperEntry>;
  empty: string;
  dated: string;
}) {
  const { id, title, list, empty, dated } = props;
  return (
    <section class="profile-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>
        {title} <Count list={list} />
      </h2>
      {list.items.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul class="profile-list">
          {list.items.map((entry) => (
            <li class="profile-entry">
              <a class="profile-entry-title" href={entry.href}>
                <RichText html={entry.titleHtml} />
              </a>
              <span class="profile-entry-meta">
                <span class="arxiv-id">{entry.id}</span>
                <span class="count">
                  <UpvoteIcon />
                  {entry.upvotes}
                  <span class="visually-hidden">{entry.upvotes === 1 ? ' upvote' : ' upvotes'}</span>
                </span>
                <span class="count">
                  <CommentIcon />
                  {entry.numComments}
                  <span class="visually-hidden">{entry.numComments === 1 ? ' comment' : ' comments'}</span>
                </span>
                {entry.day && (
                  <span>
                    {dated} <time datetime={entry.day.iso}>{entry.day.text}</time>
                  </span>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CommentSection({ list }: { list: ProfileList<ProfileCommentEntry> }) {
  return (
    <section class="profile-section" aria-labelledby="comments-title">
      <h2 id="comments-title">
        Comments <Count list={list} />
      </h2>
      {list.items.length === 0 ? (
        <p class="muted">No comments yet.</p>
      ) : (
        <ul class="profile-list">
          {list.items.map((entry) => (
            <li class="profile-entry">
              <p class="profile-comment-excerpt">{entry.excerpt}</p>
              <span class="profile-entry-meta">
                <span>
                  on{' '}
                  <a href={entry.href}>
                    <RichText html={entry.paperTitleHtml} />
                  </a>
                </span>
                {entry.day && <time datetime={entry.day.iso}>{entry.day.text}</time>}
                {entry.edited && <span>(edited)</span>}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
