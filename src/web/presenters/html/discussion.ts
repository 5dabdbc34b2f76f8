/** The discussion under a paper, as the paper page shows it: placeholder until the comments work lands (issue 3). */
export type DiscussionModel = Record<string, never>;
