import adapter from '@sveltejs/adapter-static';

/** @type {import('@sveltejs/kit').Config} */
export default {
  kit: {
    // Every page is a static file (web/build/<page>.html); there is no SPA fallback, so CloudFront
    // and local/server.ts map an extensionless path /x to x.html.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: undefined, strict: true }),
    // Absolute asset paths: 404.html is answered for unknown paths at any depth
    // (/determination/x), where relative ones would point nowhere.
    paths: { relative: false },
    prerender: {
      // Links into the API and the export files are served beside the site, not by it.
      handleHttpError({ path, message }) {
        if (path.startsWith('/api/') || path.startsWith('/exports/')) return;
        throw new Error(message);
      },
      handleMissingId: 'fail',
    },
    typescript: {
      // The API client imports the server's response types from ../shared, whose modules
      // import each other with .ts extensions.
      config(config) {
        config.compilerOptions.allowImportingTsExtensions = true;
        config.compilerOptions.noUncheckedIndexedAccess = true;
        // The component tests (test/web/) import $lib and run in a DOM: checked here, not by
        // the root tsconfig.
        config.include.push('../../test/web/**/*.ts');
      },
    },
  },
};
