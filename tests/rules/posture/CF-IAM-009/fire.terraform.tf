# Helpdesk policy that can attach any policy to any user: a path to administrator.
data "aws_iam_policy_document" "ops" {
  statement {
    actions   = ["iam:AttachUserPolicy"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "ops" {
  name        = "acme-ops"
  path        = "/"
  description = "operations"
  policy      = data.aws_iam_policy_document.ops.json
}
