"""Maps in a repository: finding them, building a folder of renders, writing
files safely, reading versions from git and comparing two of them."""
