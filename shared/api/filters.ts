// The /api/items filters, in the order the site's search writes them into its address: the feed's
// self link and id are built in the same order, so a feed and the search it came from agree.
// Free of imports, so the site bundles it without the API's validation.
export const ITEM_FILTERS = [
  'q',
  'category',
  'subcategory',
  'drug',
  'bodyRegion',
  'specialty',
  'decision',
  'from',
  'to',
] as const;
