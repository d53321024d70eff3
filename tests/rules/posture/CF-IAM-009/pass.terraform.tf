# Helpdesk policy that can only list the policies attached to users.
data "aws_iam_policy_document" "ops" {
  statement {
    actions   = ["iam:ListAttachedUserPolicies"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "ops" {
  name        = "acme-ops"
  path        = "/"
  description = "operations"
  policy      = data.aws_iam_policy_document.ops.json
}
