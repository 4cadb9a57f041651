// @prisma/client's optional peer `prisma` (the CLI, with Prisma Studio) is tooling: without this,
// pnpm links it to every app that uses the client, and `pnpm deploy --prod` ships it in the image.
// The CLI stays where it is used, as a dependency of @otp-suite/db.
module.exports = {
  hooks: {
    readPackage(pkg) {
      if (pkg.name === '@prisma/client' && pkg.peerDependencies) {
        delete pkg.peerDependencies.prisma
        if (pkg.peerDependenciesMeta) delete pkg.peerDependenciesMeta.prisma
      }
      return pkg
    },
  },
}
