"""The site's shared core: configuration, layout, errors, i18n, security headers, health."""
