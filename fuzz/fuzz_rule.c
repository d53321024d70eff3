/*
 * fuzz_rule.c - libFuzzer target for the rule compiler (cf_ruleset_load_text, the rule
 * language of docs/rules.md): paths, operators, quantifiers, policy questions, regexes,
 * relations and every error path. A rule set that compiles is then run against a small
 * CloudFormation template prepared once, so that fuzzed conditions are evaluated too.
 *
 * Invariants: a load that reports success has no diagnostics and at least one rule; a load
 * that fails has at least one diagnostic naming the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cloudfort/cloudfort.h"

static cf_ctx_t *fz_ctx;

static const char template_yaml[] =
    "AWSTemplateFormatVersion: '2010-09-09'\n"
    "Parameters:\n"
    "  Acl: {Type: String}\n"
    "Resources:\n"
    "  Site:\n"
    "    Type: AWS::S3::Bucket\n"
    "    Properties:\n"
    "      BucketName: site-logs\n"
    "      AccessControl: PublicRead\n"
    "      Tags: [{Key: env, Value: prod}, {Key: owner, Value: !Ref Acl}]\n"
    "  Policy:\n"
    "    Type: AWS::S3::BucketPolicy\n"
    "    Properties:\n"
    "      Bucket: !Ref Site\n"
    "      PolicyDocument:\n"
    "        Statement:\n"
    "          - {Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: '*',\n"
    "             Condition: {IpAddress: {'aws:SourceIp': 10.0.0.0/8}}}\n"
    "  Sg:\n"
    "    Type: AWS::EC2::SecurityGroup\n"
    "    Properties:\n"
    "      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]\n"
    "  Role:\n"
    "    Type: AWS::IAM::Role\n"
    "    Properties:\n"
    "      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n"
    "      Policies: [{PolicyName: all, PolicyDocument: {Statement: [{Effect: Allow, Action: '*', Resource: '*'}]}}]\n"
    "  Key:\n"
    "    Type: AWS::KMS::Key\n"
    "    Properties: {EnableKeyRotation: false}\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fz_ctx = cf_ctx_new();
  if (!fz_ctx) abort();
  cf_ctx_set_now(fz_ctx, 1748736000);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cf_ruleset_t *rs = NULL;
  if (cf_ruleset_new(fz_ctx, &rs) != CF_OK) abort();
  cf_diags_t errs;
  cf_diags_init(&errs);
  cf_err e = cf_ruleset_load_text(rs, "fuzz-rule.yaml", (const char *)data, size, &errs);
  if (e == CF_OK && (errs.len != 0 || cf_ruleset_count(rs) == 0)) abort();
  if (e == CF_ERULE) {
    if (errs.len == 0 || !errs.items[0].file || strcmp(errs.items[0].file, "fuzz-rule.yaml") != 0) abort();
  }
  for (size_t i = 0; i < cf_ruleset_count(rs); i++) {
    const cf_rule_info_t *r = cf_ruleset_info(rs, i);
    if (!r->id || !r->title || !r->remediation.text || !cf_ruleset_sources(rs, i)) abort();
  }
  if (cf_ruleset_count(rs) > 0) {
    cf_report_t report;
    if (cf_report_init(&report) != CF_OK) abort();
    cf_posture_opts_t opts;
    memset(&opts, 0, sizeof opts);
    opts.unknown = CF_UNKNOWN_FAIL;
    e = cf_posture_scan_buffer(fz_ctx, rs, "template.yaml", template_yaml, sizeof template_yaml - 1, &opts, &report);
    if (e != CF_OK && e != CF_ENOMEM) abort();
    cf_report_cleanup(&report);
  }
  cf_diags_cleanup(&errs);
  cf_ruleset_free(rs);
  return 0;
}
