// Runs every *.rq file of a folder over one RDF dataset with Apache Jena ARQ, loading the data once:
//
//     java -cp JENA_CLASSPATH RunQueries.java DATA.nq QUERY_DIR OUT_DIR
//
// (Java's single-file source launcher; no build step.) The default graph is the union of the
// dataset's named graphs, as kg queries a build. Each NAME.rq gives OUT_DIR/NAME.srj (SPARQL 1.1
// results in JSON) for SELECT and ASK, OUT_DIR/NAME.nt (N-Triples) for CONSTRUCT and DESCRIBE, or
// OUT_DIR/NAME.err with Jena's message when the query is refused or fails. tests/test_engines.py
// calls it; `arq.sparql` (Jena's `sparql` command) does the same one query at a time, loading the
// data each time.
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.jena.query.Dataset;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.query.Syntax;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;

public class RunQueries {
    public static void main(String[] args) throws Exception {
        Dataset dataset = RDFDataMgr.loadDataset(args[0]);
        Model union = dataset.getUnionModel();
        Path out = Paths.get(args[2]);
        Files.createDirectories(out);
        List<Path> queries;
        try (var files = Files.list(Paths.get(args[1]))) {
            queries = files.filter(p -> p.toString().endsWith(".rq")).sorted().collect(Collectors.toList());
        }
        for (Path file : queries) {
            String name = file.getFileName().toString().replaceAll("\\.rq$", "");
            String text = Files.readString(file, StandardCharsets.UTF_8);
            try {
                // Standard SPARQL 1.1 only: ARQ's extensions (LATERAL among them) are syntax errors.
                Query query = QueryFactory.create(text, Syntax.syntaxSPARQL_11);
                try (QueryExecution execution = QueryExecutionFactory.create(query, union)) {
                    if (query.isSelectType()) {
                        try (OutputStream stream = new FileOutputStream(out.resolve(name + ".srj").toFile())) {
                            ResultSetFormatter.outputAsJSON(stream, execution.execSelect());
                        }
                    } else if (query.isAskType()) {
                        try (OutputStream stream = new FileOutputStream(out.resolve(name + ".srj").toFile())) {
                            ResultSetFormatter.outputAsJSON(stream, execution.execAsk());
                        }
                    } else {
                        Model model = query.isConstructType() ? execution.execConstruct() : execution.execDescribe();
                        try (OutputStream stream = new FileOutputStream(out.resolve(name + ".nt").toFile())) {
                            RDFDataMgr.write(stream, model, Lang.NTRIPLES);
                        }
                    }
                }
            } catch (Exception error) {
                try (PrintWriter writer = new PrintWriter(out.resolve(name + ".err").toFile(), StandardCharsets.UTF_8)) {
                    writer.println(error.getClass().getSimpleName() + ": " + error.getMessage());
                }
            }
        }
    }
}
