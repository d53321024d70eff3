resource "null_resource" "deploy" {
  triggers = {
    contentful_pat = "CFPAT-ExeisBJenrdb_bkkwV5Ha6129EwMjlblGBbSElC7G0O"
  }
}
