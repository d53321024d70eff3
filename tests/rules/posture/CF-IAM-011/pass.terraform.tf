# Launching instances, passing only the application role.
variable "passable_roles" {
  type    = list(string)
  default = ["arn:aws:iam::111122223333:role/ec2-app"]
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
