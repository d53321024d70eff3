# Launching instances together with passing any role lets the holder run code as that role.
variable "passable_roles" {
  type    = list(string)
  default = ["*"]
}

resource "aws_iam_policy" "ops" {
  name        = "acme-ops"
  path        = "/"
  description = "operations"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Launch"
        Effect   = "Allow"
        Action   = ["ec2:RunInstances"]
        Resource = "*"
      },
      {
        Sid      = "Pass"
        Effect   = "Allow"
        Action   = ["iam:PassRole"]
        Resource = var.passable_roles
      },
    ]
  })
}
