# Support tooling may create access keys for any user.
variable "team" {
  type    = string
  default = "support"
}

locals {
  team_actions = {
    support = ["iam:CreateAccessKey"]
    audit   = ["iam:ListAccessKeys"]
  }
}

resource "aws_iam_policy" "ops" {
  name        = "acme-ops"
  path        = "/"
  description = "operations"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = lookup(local.team_actions, var.team, [])
      Resource = "*"
    }]
  })
}
