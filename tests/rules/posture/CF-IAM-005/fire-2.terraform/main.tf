# A team module whose group is handed a policy that allows every action everywhere.
module "team" {
  source = "./modules/team"
  name   = "platform"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["*"]
      Resource = ["*"]
    }]
  })
}
