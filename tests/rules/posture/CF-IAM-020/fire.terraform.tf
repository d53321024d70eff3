# GitHub Actions OIDC trust that checks the audience but not the repository.
locals {
  github_oidc = "token.actions.githubusercontent.com"
}

data "aws_iam_policy_document" "ci_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/${local.github_oidc}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ci" {
  name               = "ci"
  path               = "/"
  assume_role_policy = data.aws_iam_policy_document.ci_trust.json
}
