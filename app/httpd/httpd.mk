# httpd -- the HTTP file server for boot files (app/httpd/README.md).
APP_httpd_KCONFIG := HTTPD
APP_httpd_KIND    := target
APP_httpd_DEST    := usr/sbin
APP_httpd_LIBS    := -luring
