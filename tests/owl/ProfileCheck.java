// The OWL API's own OWL 2 profile checker, run on RDF documents; used by
// tests/test_owl_conformance.py, compiled at test time against the OWL API that
// owlready2 bundles with Pellet.
//
// Usage: java -cp <owlapi jar>:<dir> ProfileCheck FILE...
// Each FILE is loaded into a manager of its own and checked against OWL 2 DL, RL, EL
// and QL. Output, one line each, tab-separated:
//   VIOLATION <file> <profile> <violation class> <violation text>
//   SUMMARY   <file> <profile> <number of violations>

import java.io.File;
import java.util.Arrays;
import java.util.List;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWL2ELProfile;
import org.semanticweb.owlapi.profiles.OWL2QLProfile;
import org.semanticweb.owlapi.profiles.OWL2RLProfile;
import org.semanticweb.owlapi.profiles.OWLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public final class ProfileCheck {
    private ProfileCheck() {}

    public static void main(String[] args) throws Exception {
        List<OWLProfile> profiles = Arrays.asList(
                new OWL2DLProfile(), new OWL2RLProfile(), new OWL2ELProfile(), new OWL2QLProfile());
        String[] names = {"DL", "RL", "EL", "QL"};
        for (String path : args) {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(path));
            for (int i = 0; i < profiles.size(); i++) {
                OWLProfileReport report = profiles.get(i).checkOntology(ontology);
                List<OWLProfileViolation> violations = report.getViolations();
                for (OWLProfileViolation violation : violations) {
                    System.out.println("VIOLATION\t" + path + "\t" + names[i] + "\t"
                            + violation.getClass().getSimpleName() + "\t"
                            + violation.toString().replaceAll("\\s+", " "));
                }
                System.out.println("SUMMARY\t" + path + "\t" + names[i] + "\t" + violations.size());
            }
        }
    }
}
