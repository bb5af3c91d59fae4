/*
 * corgi_version.h: the library's version. It must equal default_version in
 * extension/corgi.control; the regression test version.sql checks that it does.
 */
#ifndef CORGI_VERSION_H
#define CORGI_VERSION_H

#define CORGI_VERSION "0.9.0"

#endif
