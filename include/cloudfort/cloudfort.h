/*
 * cloudfort/cloudfort.h - umbrella header for libcloudfort.
 *
 * libcloudfort finds the root causes of cloud breaches: misconfigured storage and identities
 * (posture), and credentials and personal data in files, archives and git history (content).
 * Every finding carries the CSA Top Threats 2022 taxonomy. Include this header, or the module
 * headers it includes.
 */
#ifndef CLOUDFORT_H
#define CLOUDFORT_H

#include "content.h"
#include "context.h"
#include "doc.h"
#include "egress.h"
#include "error.h"
#include "finding.h"
#include "posture.h"
#include "proxy.h"
#include "report.h"
#include "taxonomy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *cf_version(void);

#ifdef __cplusplus
}
#endif
#endif
